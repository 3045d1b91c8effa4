"""The command line: exit codes and output of the headless commands."""

import json

from engine.bundled import tutorial_scenario
from engine.format.loader import load_scenario
from engine.play.session import Session
from tui.cli import main


def test_lint_clean_scenario(capsys):
    assert main(["lint", str(tutorial_scenario()), "--no-explore"]) == 0
    out = capsys.readouterr().out
    assert "0 errors" in out and "7 branches" in out


def test_lint_reports_located_errors(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(tutorial_scenario().read_text().replace("actor: japan", "actr: japan", 1))
    assert main(["lint", str(bad), "--no-explore"]) == 1
    out = capsys.readouterr().out
    assert f"{bad}:" in out and "SP201 unknown key 'actr'" in out and "did you mean 'actor'" in out


def test_lint_json(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("spillover: 1\nid: x\n")
    assert main(["lint", str(bad), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["errors"] >= 3 and {"file", "line", "col", "code", "hint"} <= set(data["diagnostics"][0])


def test_lint_catalogue_files(capsys):
    from engine.bundled import seeds_dir
    assert main(["lint", str(seeds_dir() / "sources.yaml"), str(seeds_dir() / "events.yaml")]) == 0


def test_schema_is_json_schema(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["$schema"].endswith("2020-12/schema")
    assert "branch" in schema["$defs"] and "when" in schema["$defs"]["branch"]["properties"]


def test_replay_verify(tmp_path, capsys):
    s = Session.start(load_scenario(tutorial_scenario()), seed=5, group="CLI",
                      log_path=tmp_path / "log.jsonl")
    s.next_turn()
    s.choose("answer_beijing", "reassure", "calm things")
    s.close()
    assert main(["replay", str(tmp_path / "log.jsonl"), "--verify"]) == 3    # not ended
    out = capsys.readouterr().out
    assert out.startswith("Verified so far: 2 actions") and "group 'CLI'" in out
    (tmp_path / "log.jsonl").write_text((tmp_path / "log.jsonl").read_text().replace("calm", "CALM"))
    assert main(["replay", str(tmp_path / "log.jsonl"), "--verify"]) == 1
    assert "Log edited" in capsys.readouterr().out


def test_replay_of_missing_log_is_an_error_not_a_traceback(tmp_path, capsys):
    assert main(["replay", str(tmp_path / "none.jsonl"), "--verify"]) == 1
    assert "cannot read the log" in capsys.readouterr().out


def test_tui_needs_a_terminal(capsys, monkeypatch):
    monkeypatch.delenv("SPILLOVER_ALLOW_NO_TTY", raising=False)
    assert main(["run", str(tutorial_scenario())]) == 2
    assert "needs a terminal" in capsys.readouterr().err


def test_app_options_work_without_naming_the_run_command(monkeypatch):
    """`spillover --log x.jsonl` (as the README puts it) opens the bundled scenario."""
    import tui.cli as cli
    seen = {}
    monkeypatch.setattr(cli, "_tui", lambda **kw: seen.update(kw) or 0)
    assert main(["--log", "x.jsonl", "--group", "Blue"]) == 0
    assert seen["log_path"] == "x.jsonl" and seen["group"] == "Blue"
    assert seen["scenario_path"].name == "nato-japan-prospects.yaml"
    assert main(["--seed=7"]) == 0 and seen["seed"] == 7
