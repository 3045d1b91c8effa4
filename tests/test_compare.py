"""Comparing several groups' sessions, on real logs played through the engine."""

import pytest
from aar_sessions import copy_tutorial, play_blue, play_red

from engine.debrief.compare import CompareError, compare, to_markdown
from engine.format.loader import load_scenario
from engine.play.session import Session
from tui.cli import main


@pytest.fixture(scope="module")
def played(aar_played):
    return aar_played


@pytest.fixture(scope="module")
def comparison(played):
    return compare([played / "blue.jsonl", played / "red.jsonl"])


def test_finds_the_known_divergence(comparison):
    assert not comparison.warnings
    (d,) = comparison.divergences
    assert (d.a, d.b, d.index, d.common) == ("Blue", "Red", 4, 3)
    # Blue's undone "stand firm" (action 10) does not count: its 4th decision is action 12
    assert (d.a_decision.n, d.a_decision.turn) == (12, 2)
    assert (d.a_decision.branch, d.a_decision.option) == ("answer_beijing", "reassure")
    assert (d.b_decision.n, d.b_decision.turn) == (7, 2)
    assert (d.b_decision.branch, d.b_decision.option) == ("china_protests", "protest")
    md = to_markdown(comparison)
    assert "first differing decision is #4 (after 3 in common), turn 2" in md
    assert "Blue (action 12, turn 2): 'Stress that the office is for dialogue" in md
    assert "Red (action 7, turn 2): 'Summon the ambassadors' in 'China protests formally'" in md


def test_only_effective_decisions_count(comparison):
    blue, red = comparison.runs
    assert [(d.branch, d.option) for d in blue.decisions] == [
        ("answer_beijing", "reassure"), ("press_negotiations", "push"), ("open_office", "open"),
        ("answer_beijing", "reassure"), ("brief_partners", "australia")]
    assert len(red.decisions) == 4
    assert blue.decisions[1].outcome == "success (roll 9 vs 7)"
    assert red.decisions[1].outcome.startswith("success (facilitator: White cell")


def test_counts_of_branches_and_options(comparison):
    counts = {(b, o): per for b, o, per in comparison.counts()}
    assert counts[("answer_beijing", "reassure")] == {"Blue": 2, "Red": 1}
    assert counts[("answer_beijing", "stand_firm")] == {}              # taken once, undone
    assert counts[("press_negotiations", "push")] == {"Blue": 1, "Red": 1}
    assert counts[("china_protests", "protest")] == {"Red": 1}
    md = to_markdown(comparison)
    assert ("| Japan answers Beijing's warning | Stress that the office is for dialogue, not a "
            "military presence | 2 | 1 | 3 | 2 of 2 |") in md
    assert "| Japan answers Beijing's warning | Stand firm and say nothing more | 0 | 0 | 0 | 0 of 2 |" in md


def test_final_states_signposts_and_rationales(comparison):
    md = to_markdown(comparison)
    assert "| All allies back the office | yes | no | yes | **yes** |" in md           # readable
    assert "| Liaison office | negotiating | open | open |" in md
    assert "| A NATO liaison office opens in Tokyo" in md and "turn 2 | turn 2" in md
    rationales = md.split("## Rationales, branch by branch")[1]
    press = rationales.split("### Japan presses for an agreement")[1].split("###")[0]
    assert "**Blue** (turn 1): Push for agreement now → success (roll 9 vs 7)" in press
    assert "Tokyo wants the office before Vilnius" in press
    assert "Push now, the window is short" in press
    assert "No more concessions" not in rationales                      # undone
    brief = rationales.split("### NATO briefs a Pacific partner")[1].split("###")[0]
    assert "**Red**: not played" in brief


def test_same_decisions_do_not_diverge(played, tmp_path):
    play_red(played / "tutorial.yaml", tmp_path / "red2.jsonl", group="Red")
    c = compare([played / "red.jsonl", tmp_path / "red2.jsonl"])
    assert [r.label for r in c.runs] == ["Red [red]", "Red [red2]"]      # same group, told apart
    (d,) = c.divergences
    assert d.index is None and d.common == 4
    assert "no divergence — the same 4 decisions" in to_markdown(c)


def test_three_groups_pairwise(played, tmp_path):
    play_red(played / "tutorial.yaml", tmp_path / "green.jsonl", group="Green")
    c = compare([played / "blue.jsonl", played / "red.jsonl", tmp_path / "green.jsonl"])
    assert [(d.a, d.b, d.index) for d in c.divergences] == [
        ("Blue", "Red", 4), ("Blue", "Green", 4), ("Red", "Green", None)]


def test_different_scenarios_are_refused(played, tmp_path, capsys):
    other = copy_tutorial(tmp_path)
    text = other.read_text(encoding="utf-8")
    assert "\nid: tutorial\n" in text
    other.write_text(text.replace("\nid: tutorial\n", "\nid: tutorial_two\n"), encoding="utf-8")
    s = Session.start(load_scenario(other), seed=1, group="Other", log_path=tmp_path / "o.jsonl")
    s.note("a session of another scenario")
    s.close()
    with pytest.raises(CompareError, match="different scenarios") as e:
        compare([played / "blue.jsonl", tmp_path / "o.jsonl"])
    assert e.value.usage
    assert main(["compare", str(played / "blue.jsonl"), str(tmp_path / "o.jsonl")]) == 2
    err = capsys.readouterr().err
    assert "different scenarios" in err and "'tutorial_two'" in err and "Traceback" not in err


def test_reworded_versions_compare_cleanly(tmp_path):
    """A wording fix is not a new version: the logic hash is over everything but prose."""
    path = copy_tutorial(tmp_path)
    play_blue(path, tmp_path / "blue.jsonl")
    path.write_text(path.read_text(encoding="utf-8").replace(
        "title: Japan presses for an agreement", "title: Japan presses NATO hard"), encoding="utf-8")
    play_red(path, tmp_path / "red.jsonl")
    c = compare([tmp_path / "blue.jsonl", tmp_path / "red.jsonl"])
    assert not c.warnings
    assert not any("Scenario changed" in w for w in c.warnings)


def test_different_versions_are_flagged(tmp_path, capsys):
    path = copy_tutorial(tmp_path)
    play_blue(path, tmp_path / "blue.jsonl")
    path.write_text(path.read_text(encoding="utf-8").replace(
        "target: 7", "target: 8"), encoding="utf-8")       # the logic changes
    play_red(path, tmp_path / "red.jsonl")
    c = compare([tmp_path / "blue.jsonl", tmp_path / "red.jsonl"])
    assert any("different versions of the scenario" in w for w in c.warnings)
    assert any(w.startswith("Blue: Scenario changed") for w in c.warnings)   # Blue's own version
    md = to_markdown(c)
    assert md.split("## Sessions")[0].count("Warning") == 2
    assert c.divergences[0].index == 4                                      # and it still compares
    assert main(["compare", str(tmp_path / "blue.jsonl"), str(tmp_path / "red.jsonl")]) == 0
    captured = capsys.readouterr()
    assert "different versions" in captured.err and "# Comparison" in captured.out


def test_changed_scenario_is_flagged_in_compare(tmp_path):
    path = copy_tutorial(tmp_path)
    play_blue(path, tmp_path / "blue.jsonl")
    play_red(path, tmp_path / "red.jsonl")
    path.write_text(path.read_text(encoding="utf-8").replace("target: 7", "target: 8"),
                    encoding="utf-8")
    c = compare([tmp_path / "blue.jsonl", tmp_path / "red.jsonl"])
    assert len(c.warnings) == 2 and all("Scenario changed" in w for w in c.warnings)
    assert "Scenario changed since the session" in to_markdown(c).split("## Sessions")[0]


def test_cli_compare(played, tmp_path, capsys):
    out = tmp_path / "cmp.md"
    assert main(["compare", str(played / "blue.jsonl"), str(played / "red.jsonl"), "-o", str(out)]) == 0
    assert str(out) in capsys.readouterr().out
    assert out.read_text(encoding="utf-8").startswith("# Comparison")
    assert main(["compare", str(played / "blue.jsonl")]) == 2
    assert "at least two" in capsys.readouterr().err
    assert main(["compare", str(played / "blue.jsonl"), str(tmp_path / "missing.jsonl")]) == 1
    assert "cannot read" in capsys.readouterr().err
    assert main(["compare", str(played / "blue.jsonl"), str(played / "red.jsonl"),
                 "-o", str(tmp_path / "cmp.pdf")]) == 2
    assert ".html" in capsys.readouterr().err
    assert main(["compare", str(played / "blue.jsonl"), str(played / "red.jsonl"),
                 "-o", str(tmp_path / "cmp.html")]) == 0
    assert "(HTML)" in capsys.readouterr().out
    page = (tmp_path / "cmp.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<svg viewBox=' in page


def test_same_choice_with_a_different_adjudicated_result_is_a_divergence(played, tmp_path):
    sc = load_scenario(played / "tutorial.yaml")
    for name, success in (("s", True), ("f", False)):
        s = Session.start(sc, seed=1, group=name.upper(), log_path=tmp_path / f"{name}.jsonl")
        s.next_turn()
        s.choose("press_negotiations", "push", "")
        s.decide(success, "")
        s.close()
    c = compare([tmp_path / "s.jsonl", tmp_path / "f.jsonl"])
    [d] = c.divergences
    assert d.index == 1 and "success" in d.a_decision.outcome and "failure" in d.b_decision.outcome
