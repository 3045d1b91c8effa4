"""`lint` says when its reachability check did not complete, and what it covered (issue 15)."""

import json
import shutil

from engine.bundled import main_scenario, tutorial_scenario
from engine.format.loader import load_scenario
from tui.cli import main

NEVER = """
  - id: never_played
    title: A move whose precondition cannot hold
    when: {when}
    options:
      - {{id: go, label: Go}}
"""
# Each clause can hold, never both: only a complete exploration finds it.
TOGETHER = "[office == negotiating, chosen(open_office)]"
# No value china_pressure (0..3) can take satisfies it: proved without exploring it all.
OUT_OF_REACH = "china_pressure > 3"


def _with_unplayable_branch(tmp_path, when=TOGETHER):
    path = tmp_path / "tutorial.yaml"
    shutil.copy(tutorial_scenario(), path)
    text = path.read_text(encoding="utf-8")
    at = text.index("\ninjects:")
    path.write_text(text[:at] + NEVER.format(when=when).rstrip("\n") + text[at:],
                    encoding="utf-8")
    return path


def _lint_json(capsys, *argv):
    code = main(["lint", "--json", *argv])
    return code, json.loads(capsys.readouterr().out)


def test_lint_json_reports_an_incomplete_reachability_check(tmp_path, capsys):
    path = _with_unplayable_branch(tmp_path)
    # with enough budget the unplayable branch is found...
    _, full = _lint_json(capsys, str(path))
    assert [d["code"] for d in full["diagnostics"]] == ["SP506"]
    assert full["reachability"][str(path)]["complete"] is True
    # ...with too little, nothing is found and lint says the check did not complete
    code, out = _lint_json(capsys, "--max-states", "30", str(path))
    assert code == 0 and out["diagnostics"] == []
    reach = out["reachability"][str(path)]
    assert reach["complete"] is False and reach["states"] == reach["max_states"] == 30
    assert reach["turns_complete"] == 1 and reach["not_reached"] == ["never_played"]
    # branches the exploration did not reach were played in random playthroughs
    assert "brief_partners" in reach["witnessed"] and reach["playthroughs"] > 0
    assert set(reach["branches_played"]) | {"never_played"} == {
        "press_negotiations", "answer_beijing", "open_office", "brief_partners",
        "work_programme", "narrow_the_office", "china_protests", "never_played"}
    assert reach["covered"].startswith("turn 0 explored completely")
    assert "NOT checked completely" in reach["summary"]


def test_lint_text_says_when_the_check_gave_up(capsys):
    assert main(["lint", str(main_scenario())]) == 0
    out = capsys.readouterr().out
    assert "reachability NOT checked completely" in out
    n = len(load_scenario(main_scenario()).branches)
    assert f"{n} of {n} branches seen played" in out and "random playthroughs" in out
    assert out.rstrip().endswith("0 errors, 0 warnings; reachability check incomplete for 1 "
                                 "scenario")


def test_lint_text_says_when_the_check_completed(capsys):
    assert main(["lint", str(tutorial_scenario())]) == 0
    out = capsys.readouterr().out
    assert "reachability checked completely" in out
    assert out.rstrip().endswith("0 errors, 0 warnings")
    assert main(["lint", "--no-explore", str(tutorial_scenario())]) == 0
    assert "reachability not checked (--no-explore)" in capsys.readouterr().out


def test_an_incomplete_check_still_reports_what_it_can_prove(tmp_path, capsys):
    path = _with_unplayable_branch(tmp_path, OUT_OF_REACH)
    code, out = _lint_json(capsys, "--max-states", "30", str(path))
    assert code == 0
    [d] = out["diagnostics"]
    assert d["code"] == "SP506" and "never_played" in d["message"]
    assert "proved without exploring every state" in d["message"]
    assert d["line"] == path.read_text().splitlines().index("  - id: never_played") + 1
    reach = out["reachability"][str(path)]
    assert reach["complete"] is False and reach["proved_dead"] == ["never_played"]
    assert "never_played" not in reach["not_reached"]


def test_lint_max_states_below_one_is_a_usage_error(capsys):
    assert main(["lint", "--max-states", "0", str(tutorial_scenario())]) == 2
    assert "--max-states must be at least 1" in capsys.readouterr().err
