"""The after-action report, on real logs played through the engine (tests/aar_sessions.py)."""

import html
import json

import pytest
from aar_sessions import HOTWASH, copy_tutorial, fixed_clock, play_blue

from engine.debrief.report import ReportError, after_action_report
from engine.debrief.report_render import to_html, to_markdown
from engine.format.loader import load_scenario
from engine.play.session import Session
from tui.cli import main

BLUE_RATIONALES = ["Calm Beijing before the summit", "France raises the North Atlantic question",
                   "Tokyo wants the office before Vilnius", "Beijing reacts harder than the model says",
                   "Open it while the momentum lasts", "No more concessions",
                   "Keep the tone calm after all", "Australia first: the closest partner"]


@pytest.fixture(scope="module")
def played(aar_played):
    return aar_played


@pytest.fixture(scope="module")
def blue(played):
    return after_action_report(played / "blue.jsonl")


def test_report_of_a_verified_session(blue, played):
    sc = load_scenario(played / "tutorial.yaml")
    assert blue.verified and blue.status == "verified"
    assert blue.banner.startswith("Verified and ended: 15 actions")
    assert blue.group == "Blue" and blue.seed == 21 and blue.ended
    assert blue.actions == blue.confirmed == 15
    assert [e.n for e in blue.entries] == list(range(1, 16))
    assert [s.turn for s in blue.timeline] == [0, 1, 2, 3]
    assert [s.label for s in blue.timeline] == [t.label for t in sc.turns]
    undone = {e.n: e.undone_by for e in blue.entries if e.undone}
    assert undone == {10: 11}
    roll = blue.entries[5]
    assert roll.kind == "Roll"
    details = {(d.label, d.text) for d in roll.details}
    assert ("Dice", "2d6: 6 + 6 = 12") in details
    assert ("Modifier", "An ally objects: −3") in details
    assert ("Modifier", "Beijing's pressure: +0") in details
    assert ("Result", "total 9 vs target 7 → success") in details
    assert blue.hotwash == HOTWASH
    final = {v.id: (v.baseline, v.final, v.changed) for v in blue.final_state}
    assert final["office"] == ("negotiating", "open", True)
    assert final["partners_briefed"] == ("none", "Australia", True)      # readable, not {ids}
    assert any("liaison office opens in Tokyo" in s.text and s.turn == 2 for s in blue.signposts)


def test_every_action_appears_in_markdown(blue, played):
    md = to_markdown(blue)
    assert md.startswith("# After-action report and improvement plan: ")
    assert "Verified and ended: 15 actions replay" in md.split("## 1.")[0]     # verification on top
    for n in range(1, 16):
        assert f"**{n}. " in md, n
    for text in BLUE_RATIONALES:
        assert text in md, text
    sc = load_scenario(played / "tutorial.yaml")
    for turn in sc.turns:
        assert f"### Turn {turn.index}: {turn.label} ({turn.date})" in md
    assert "Opening brief: the group plays Japan and NATO together" in md          # note
    assert "2d6: 6 + 6 = 12" in md and "An ally objects: −3" in md                   # dice, modifiers
    assert "total 9 vs target 7 → success" in md
    assert "An ally objects to an office in Asia (released on demand)" in md        # injects
    assert sc.injects["ally_objects"].narrative.strip().split()[0] in md
    assert "Beijing warns again (scheduled, released automatically)" in md
    assert "Pressure from Beijing (0–3): 0 → 2" in md                                # override old → new
    assert "~~**10. Decision:**" in md and "*(undone by action 11)*" in md           # undone, struck
    assert "took back action 10" in md
    assert "| Liaison office | negotiating | open | **changed** |" in md
    assert "Consensus inside NATO was the bottleneck" in md                          # hotwash
    assert "seed" in md.lower() and "| Seed | 21 |" in md
    assert "| Counterfactual switches | none" in md
    # sources of every branch played
    bib = md.split("## 6.")[1]
    for eid in ("nikkei_office_report", "hayashi_cnn_interview", "china_warns_on_office"):
        assert sc.events[eid].title in bib
    assert sc.sources["news_liaison_office"].issuer in bib


def test_every_action_appears_in_html(blue):
    page = to_html(blue)
    for n in range(1, 16):
        assert f'id="action-{n}"' in page
    for text in BLUE_RATIONALES:
        assert html.escape(text) in page, text
    assert '<div class="entry undone" id="action-10">' in page
    assert "<del>" in page.split('id="action-10"')[1].split('id="action-11"')[0]
    assert html.escape("2d6: 6 + 6 = 12") in page and html.escape("An ally objects: −3") in page
    assert html.escape("Consensus inside NATO was the bottleneck, not Beijing.") in page


def test_html_is_printable_self_contained_and_escaped(tmp_path):
    scenario = copy_tutorial(tmp_path)
    s = Session.start(load_scenario(scenario), seed=1, group="<b>Blue</b> & co",
                      log_path=tmp_path / "x.jsonl", clock=fixed_clock())
    s.note("<script>alert('x')</script>")
    s.next_turn()
    s.choose("answer_beijing", "reassure", 'rationale with <i>tags</i> & "quotes"')
    s.close()
    page = to_html(after_action_report(tmp_path / "x.jsonl"))
    assert "@page { size: A4" in page and "page-break-inside: avoid" in page
    assert "serif" in page and "margin" in page
    assert "<script" not in page and "&lt;script&gt;" in page
    assert "<i>tags</i>" not in page and "&lt;i&gt;tags&lt;/i&gt;" in page
    assert "<b>Blue</b>" not in page
    assert "<link" not in page and "src=" not in page and "@import" not in page


def test_facilitator_decision_with_rationale(played):
    red = after_action_report(played / "red.jsonl")
    md = to_markdown(red)
    assert red.verified
    assert "**4. Facilitator decision:**" in md
    assert "White cell: the NAC finds consensus after French assurances" in md
    assert "The North Atlantic Council agrees to open the office." in md          # outcome narrative
    assert "Red saw China escalate" in md


def test_bibliography_footnotes_urls_dedup_and_order(tmp_path):
    path = copy_tutorial(tmp_path)
    text = path.read_text(encoding="utf-8")
    cite = "sources: [{source: news_liaison_office, footnotes: []}]"
    assert text.count(cite) >= 2 and "sources:\n  - id: news_liaison_office\n" in text
    # the first two events cite a second source (footnotes 14, 12) and the news item (fn. 3)
    two = ("sources: [{source: nato_page, footnotes: [14, 12]}, "
           "{source: news_liaison_office, footnotes: [3]}]")
    text = text.replace(cite, two, 2)
    text = text.replace("sources:\n  - id: news_liaison_office\n",
                        "sources:\n  - id: nato_page\n    kind: web\n    issuer: NATO\n"
                        "    title: Relations with Japan\n"
                        "    url: https://www.nato.int/cps/en/natohq/topics_50336.htm\n"
                        "  - id: news_liaison_office\n", 1)
    path.write_text(text, encoding="utf-8")
    s = Session.start(load_scenario(path), seed=3, group="Bib", log_path=tmp_path / "b.jsonl")
    s.next_turn()
    s.choose("press_negotiations", "wait", "wait and see")
    s.close()
    report = after_action_report(tmp_path / "b.jsonl")
    assert [src.id for src in report.sources] == ["news_liaison_office", "nato_page"]  # by footnote
    assert report.sources[0].footnotes == (3,) and report.sources[1].footnotes == (12, 14)
    md = to_markdown(report)
    bib = md.split("### Bibliography")[1]
    assert bib.count("Relations with Japan") == 1                                   # deduplicated
    assert "fn. 12, 14" in bib and "https://www.nato.int/cps/en/natohq/topics_50336.htm" in bib
    assert bib.index("fn. 3") < bib.index("fn. 12, 14")
    page = to_html(report)
    assert '<a href="https://www.nato.int/cps/en/natohq/topics_50336.htm">' in page
    events = md.split("### Events")[1].split("### Bibliography")[0]
    assert "Nikkei Asia reports plans for a NATO office in Japan" in events
    assert "cited by: Japan presses for an agreement" in events


def test_counterfactual_switches_in_overview(tmp_path):
    path = copy_tutorial(tmp_path)
    sc = load_scenario(path)
    s = Session.start(sc, seed=1, group="CF", switched_off=["china_warns_on_office"],
                      log_path=tmp_path / "cf.jsonl")
    s.note("no Chinese warning in this world")
    s.close()
    md = to_markdown(after_action_report(tmp_path / "cf.jsonl"))
    row = next(line for line in md.splitlines() if line.startswith("| Counterfactual switches"))
    assert sc.events["china_warns_on_office"].title in row and "switched off" in row


def test_edited_log_is_flagged_but_still_reported(played, tmp_path):
    edited = tmp_path / "edited.jsonl"
    edited.write_text((played / "blue.jsonl").read_text(encoding="utf-8").replace(
        "Open it while the momentum lasts", "Open it NOW"), encoding="utf-8")
    report = after_action_report(edited)
    assert not report.verified and report.status == "log edited"
    assert report.confirmed == 8 and report.actions == 15
    md = to_markdown(report)
    top = md.split("## 1.")[0]
    assert "NOT VERIFIED" in top and "hash chain breaks at line 10" in top
    for n in range(1, 16):
        assert f"**{n}. " in md
    assert "Open it NOW" in md and "not confirmed by replay" in md
    assert "*(not confirmed by replay)*" not in md.split("**9. ")[0]    # 1..8 replayed
    assert "As of action 8, the last one that replays" in md
    assert "NOT VERIFIED" in to_html(report)


def test_changed_scenario_is_flagged(tmp_path):
    path = copy_tutorial(tmp_path)
    play_blue(path, tmp_path / "blue.jsonl")
    path.write_text(path.read_text(encoding="utf-8").replace(
        "title: Japan presses for an agreement", "title: Japan presses NATO hard"), encoding="utf-8")
    report = after_action_report(tmp_path / "blue.jsonl")
    assert report.verified                                   # a wording fix: the logic is the same
    assert "Japan presses NATO hard" in to_markdown(report)          # titles from the scenario now
    path.write_text(path.read_text(encoding="utf-8").replace("target: 7", "target: 8"),
                    encoding="utf-8")
    report = after_action_report(tmp_path / "blue.jsonl")
    assert not report.verified and report.status == "scenario changed"
    top = to_markdown(report).split("## 1.")[0]
    assert "NOT VERIFIED" in top and "Scenario changed since the session" in top
    assert "branch:press_negotiations changed" in top


def test_unreadable_log_is_a_report_error(tmp_path):
    with pytest.raises(ReportError, match="cannot read the log"):
        after_action_report(tmp_path / "missing.jsonl")
    (tmp_path / "junk.jsonl").write_text(json.dumps({"hello": 1}) + "\n")
    with pytest.raises(ReportError, match="not a session header"):
        after_action_report(tmp_path / "junk.jsonl")


# ---------------------------------------------------------------------------- CLI

def test_cli_report_to_stdout(played, capsys):
    assert main(["report", str(played / "blue.jsonl")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# After-action report") and "**15. End:**" in out


def test_cli_report_to_files(played, tmp_path, capsys):
    md, page = tmp_path / "aar.md", tmp_path / "sub" / "aar.html"
    assert main(["report", str(played / "blue.jsonl"), "-o", str(md)]) == 0
    assert f"to {md}" in capsys.readouterr().out
    assert md.read_text(encoding="utf-8").startswith("# After-action report")
    assert main(["report", str(played / "red.jsonl"), "-o", str(page)]) == 0
    assert "(HTML)" in capsys.readouterr().out
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_cli_report_exit_codes(played, tmp_path, capsys):
    assert main(["report", str(played / "blue.jsonl"), "-o", str(tmp_path / "aar.pdf")]) == 2
    assert ".md" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "missing.jsonl")]) == 1
    err = capsys.readouterr().err
    assert "cannot read the log" in err and "Traceback" not in err
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["report", str(played / "blue.jsonl"), "-o", str(blocker / "aar.md")]) == 1
    assert "cannot write" in capsys.readouterr().err
    # an unverified log: the report is still written (exit 0), flagged, with a warning
    edited = tmp_path / "edited.jsonl"
    edited.write_text((played / "red.jsonl").read_text(encoding="utf-8").replace(
        "Open it at once", "Open it later"), encoding="utf-8")
    assert main(["report", str(edited)]) == 0
    captured = capsys.readouterr()
    assert "NOT VERIFIED" in captured.out and "warning: Log edited" in captured.err


def test_report_of_a_session_with_no_actions(tmp_path):
    path = copy_tutorial(tmp_path)
    Session.start(load_scenario(path), seed=1, group="Empty", log_path=tmp_path / "e.jsonl").close()
    report = after_action_report(tmp_path / "e.jsonl")
    assert report.verified and report.timeline == () and report.hotwash is None
    md = to_markdown(report)
    assert "No action was logged." in md and "no hotwash was recorded" in md
    assert "No action was logged." in to_html(report)


def test_report_when_the_scenario_has_gone(tmp_path, capsys):
    folder = tmp_path / "moved"
    path = copy_tutorial(folder)
    play_blue(path, tmp_path / "blue.jsonl")
    (tmp_path / "elsewhere").mkdir()
    path.rename(tmp_path / "elsewhere" / "tutorial.yaml")     # same name: same content hash
    report = after_action_report(tmp_path / "blue.jsonl")
    assert not report.verified and report.confirmed == 0
    assert report.banner.startswith("Scenario not loaded")
    md = to_markdown(report)
    for n in range(1, 16):
        assert f"**{n}. " in md
    assert "Tokyo wants the office before Vilnius" in md
    # --scenario points the report at the moved file: everything is confirmed again
    assert main(["report", str(tmp_path / "blue.jsonl"), "--scenario",
                 str(tmp_path / "elsewhere" / "tutorial.yaml")]) == 0
    assert "Verified and ended: 15 actions" in capsys.readouterr().out


def _edited_copy(src, dst, old, new):
    text = src.read_text(encoding="utf-8")
    assert old in text
    dst.write_text(text.replace(old, new, 1), encoding="utf-8")
    return dst


def test_damaged_logs_give_clear_errors_or_flagged_reports(played, tmp_path, capsys):
    blue = played / "blue.jsonl"
    # a header whose scenario is not an object: refused as a malformed header, no traceback
    bad = _edited_copy(blue, tmp_path / "h.jsonl", '"scenario":{"id":"tutorial"',
                       '"scenario":"tutorial","x":{"id":"tutorial"')
    assert main(["report", str(bad)]) == 1
    assert main(["replay", str(bad), "--verify"]) == 1
    assert "header is malformed" in capsys.readouterr().out
    # garbage in fields of a line past the break: the report still renders, flagged
    bad = _edited_copy(blue, tmp_path / "t.jsonl", '"turn":1,', '"turn":"abc",')
    md = to_markdown(after_action_report(bad))
    assert "Log edited" in md
    # a line without an action name stops the log there
    bad = _edited_copy(blue, tmp_path / "a.jsonl", '"action":"note"', '"action":["x"]')
    assert main(["replay", str(bad), "--verify"]) == 1
    assert "not an action record" in capsys.readouterr().out


def test_report_refuses_a_scenario_of_another_id(played, tmp_path):
    other = tmp_path / "other.yaml"
    other.write_text((played / "tutorial.yaml").read_text(encoding="utf-8").replace(
        "\nid: tutorial\n", "\nid: another\n"), encoding="utf-8")
    with pytest.raises(ReportError, match="the log is of scenario 'tutorial', not 'another'"):
        after_action_report(played / "blue.jsonl", load_scenario(other))
    assert main(["report", str(played / "blue.jsonl"), "--scenario", str(other)]) == 1


def test_actions_are_looked_up_by_number_first_one_wins():
    """The report's index of logged actions (one lookup per undo, observation or amendment
    instead of a scan of the log each): the first action with a number wins, as the scan it
    replaced did, and damaged numbers are skipped."""
    from engine.debrief.report import actions_by_n
    first, again = {"n": 3, "action": "note"}, {"n": 3, "action": "choose"}
    index = actions_by_n([{"n": 1}, first, again, {"n": "4"}, {"n": True}, {}])
    assert index[3] is first
    assert set(index) == {1, 3}
