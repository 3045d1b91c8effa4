"""Scenario text apart from logic: the logic hash, string tables, sessions across languages."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from aar_sessions import copy_tutorial, play_blue, play_red

from engine.bundled import tutorial_scenario
from engine.diagnostics import DiagnosticError
from engine.format.loader import load_scenario
from engine.format.prose import logic_of, short_hash
from engine.format.strings import source_strings, text_version
from engine.format.tables import load_scenario_in, table_path, translate
from engine.play.log import read_log, seal
from engine.play.replay import VERIFIED, replay


def tutorial_copy(tmp_path: Path) -> Path:
    """The tutorial and its tables, in a folder the test may change."""
    folder = tmp_path / "sc"
    folder.mkdir()
    for p in tutorial_scenario().parent.glob("tutorial*.yaml"):
        shutil.copyfile(p, folder / p.name)
    return folder / "tutorial.yaml"


def write_table(path: Path, lang: str, entries: dict[str, tuple[str, str]]) -> Path:
    lines = ["spillover-strings: 1", f"lang: {lang}", "strings:"]
    lines += [f"  {k}: {{of: '{of}', text: {json.dumps(text, ensure_ascii=False)}}}"
              for k, (of, text) in entries.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# ------------------------------------------------------------------------- the logic hash

def test_wording_changes_the_content_hash_not_the_logic_hash(tmp_path):
    path = copy_tutorial(tmp_path)
    before = load_scenario(path)
    edit(path, "title: Japan presses for an agreement", "title: Japan presses NATO hard")
    edit(path, "note: Can NATO reach", "note: Will NATO reach")
    reworded = load_scenario(path)
    assert reworded.content_hash != before.content_hash
    assert reworded.logic_hash == before.logic_hash
    assert text_version(reworded) != text_version(before)
    edit(path, "target: 7", "target: 8")
    assert load_scenario(path).logic_hash != before.logic_hash


def test_ids_that_look_like_prose_keys_stay_logic():
    data = {"state": {"label": {"type": "bool", "initial": True, "label": "A flag"}},
            "actors": {"japan": "Japan"},
            "branches": [{"id": "b", "title": "T", "signposts": ["watch this"],
                          "options": [{"id": "o", "label": "L", "effects": ["label = false"]}]}]}
    assert logic_of(data) == {
        "state": {"label": {"type": "bool", "initial": True}}, "actors": ["japan"],
        "branches": [{"id": "b", "signposts": [""],
                      "options": [{"id": "o", "effects": ["label = false"]}]}]}


def _as_v1(log: Path) -> None:
    """Rewrite an engine-made log as the previous engine wrote it: a header without the logic
    hash, language and text version (the chain resealed, as that engine would have)."""
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    for key in ("logic", "lang", "text"):
        del records[0]["scenario"][key]
    prev = None
    out = []
    for rec in records:
        rec.pop("prev", None)
        rec.pop("hash", None)
        rec = seal(rec, prev)
        prev = rec["hash"]
        out.append(json.dumps(rec, ensure_ascii=False))
    log.write_text("\n".join(out) + "\n", encoding="utf-8")


def test_logs_without_a_logic_hash_still_replay_on_the_whole_file_hash(tmp_path):
    path = copy_tutorial(tmp_path)
    play_blue(path, tmp_path / "blue.jsonl").close()
    _as_v1(tmp_path / "blue.jsonl")
    assert "logic" not in read_log(tmp_path / "blue.jsonl").header["scenario"]
    assert replay(tmp_path / "blue.jsonl").status == VERIFIED
    edit(path, "title: Japan presses for an agreement", "title: Japan presses NATO hard")
    rep = replay(tmp_path / "blue.jsonl")    # such a log pinned the bytes: any change shows
    assert rep.status != VERIFIED and rep.changed == ("file tutorial.yaml changed",)


def test_the_header_records_language_and_text_version(tmp_path):
    path = tutorial_copy(tmp_path)
    s = play_red(path, tmp_path / "red.jsonl", lang="ru")
    s.close()
    sc = read_log(tmp_path / "red.jsonl").header["scenario"]
    ru = load_scenario_in(path, "ru")
    assert sc["lang"] == "ru" and sc["text"] == text_version(ru) != text_version(load_scenario(path))
    assert sc["logic"] == load_scenario(path).logic_hash


# ------------------------------------------------------------------------- string tables

def test_a_table_translates_and_counts(tmp_path):
    path = copy_tutorial(tmp_path)
    sc = load_scenario(path)
    src = source_strings(sc)
    write_table(table_path(path, "de"), "de", {
        "branch.press_negotiations.title": (short_hash(src["branch.press_negotiations.title"]),
                                            "Japan drängt auf eine Einigung"),
        "variable.office.value.agreed": ("00000000", "vereinbart"),
    })
    t = translate(sc, "de")
    assert t.scenario.branches["press_negotiations"].title == "Japan drängt auf eine Einigung"
    office = t.scenario.variable("office")
    agreed = office.type.values.index("agreed")
    assert office.words(agreed) == "vereinbart" and office.show(agreed) == "agreed"   # typed
    assert t.scenario.lang == "de" and t.scenario.logic_hash == sc.logic_hash
    assert (t.coverage.total, t.coverage.current, t.coverage.stale) == (len(src), 1, 1)
    stale = [d for d in t.diagnostics if d.code == "SP804"]
    assert len(stale) == 1 and stale[0].severity == "warning"
    assert stale[0].file.endswith("tutorial.de.yaml") and stale[0].line == 5
    assert short_hash(src["variable.office.value.agreed"]) in stale[0].hint
    missing = [d for d in t.diagnostics if d.code == "SP803"]
    assert len(missing) == len(src) - 2
    assert all(d.file.endswith("tutorial.de.yaml") for d in missing)


def test_table_errors_are_located(tmp_path):
    path = copy_tutorial(tmp_path)
    table = write_table(table_path(path, "de"), "de", {
        "branch.press_negotiation.title": ("00000000", "x"),
    })
    table.write_text(table.read_text(encoding="utf-8").replace("lang: de", "lang: fr\nlanguage: de"),
                     encoding="utf-8")
    with pytest.raises(DiagnosticError) as e:
        load_scenario_in(path, "de")
    got = {(d.code, d.line) for d in e.value.diagnostics}
    assert got == {("SP801", 2), ("SP801", 3), ("SP802", 5)}
    table.write_text("spillover-strings: 1\nlang: de\nstrings:\n  scenario.title: {of: 00000000, "
                     "text: x}\n", encoding="utf-8")
    with pytest.raises(DiagnosticError, match="quote") as e2:
        load_scenario_in(path, "de")
    assert [(d.code, d.line) for d in e2.value.diagnostics] == [("SP801", 4)]
    text = "\n".join(d.format() for d in e.value.diagnostics)
    assert "did you mean 'branch.press_negotiations.title'?" in text
    assert "unknown key 'language'" in text and "write `lang: de`" in text


def test_a_text_in_the_wrong_files_table_is_an_error(tmp_path):
    folder = tmp_path / "bundle"
    root = tutorial_scenario().parent.parent
    for sub in ("scenarios", "seeds"):
        shutil.copytree(root / sub, folder / sub, ignore=shutil.ignore_patterns("*.ru.yaml"))
    main = folder / "scenarios" / "nato-japan-prospects.yaml"
    sc = load_scenario(main)
    key = next(k for k in source_strings(sc) if k.startswith("event."))
    write_table(table_path(main, "de"), "de", {key: ("00000000", "x")})
    t = translate(sc, "de")
    wrong = [d for d in t.diagnostics if d.code == "SP802"]
    assert len(wrong) == 1 and "belongs in events.de.yaml" in wrong[0].message
    no_table = [d for d in t.diagnostics if d.code == "SP803" and d.line == 0]
    assert all(d.message.startswith("no German string table for") for d in no_table)
    assert {Path(d.file).name for d in no_table} == {"sources.de.yaml", "events.de.yaml"}


def test_a_malformed_table_is_a_clear_error_not_a_traceback(tmp_path):
    path = copy_tutorial(tmp_path)
    for body in ("[1, 2]\n", "spillover-strings: 1\nlang: de\nstrings: [a]\n",
                 "spillover-strings: 1\nlang: de\nstrings:\n  scenario.title: plain\n",
                 "spillover-strings: 1\nlang: de\nstrings: {scenario.title: {of: 1, text: x, txt: y}}\n",
                 ": : :\n", ""):
        table_path(path, "de").write_text(body, encoding="utf-8")
        with pytest.raises(DiagnosticError) as e:
            load_scenario_in(path, "de")
        assert all(d.file.endswith("tutorial.de.yaml") for d in e.value.diagnostics), body


# ------------------------------------------------------------------------- across languages

def test_sessions_in_two_languages_replay_compare_and_report_together(tmp_path, capsys):
    from engine.debrief.compare import compare
    from engine.debrief.report import after_action_report
    from engine.debrief.report_render import to_markdown
    from tui.cli import main
    path = tutorial_copy(tmp_path)
    play_blue(path, tmp_path / "blue.jsonl").close()                 # in English
    play_red(path, tmp_path / "red.jsonl", lang="ru").close()        # in Russian
    en, ru = load_scenario(path), load_scenario_in(path, "ru")
    for log in ("blue.jsonl", "red.jsonl"):
        for sc in (None, en, ru):
            assert replay(tmp_path / log, sc).status == VERIFIED, (log, sc and sc.lang)
    c = compare([tmp_path / "blue.jsonl", tmp_path / "red.jsonl"])
    assert not c.warnings and c.divergences[0].index == 4
    report = to_markdown(after_action_report(tmp_path / "blue.jsonl", ru))   # run in English
    assert "Офис связи" in report and "Liaison office" not in report
    assert main(["compare", str(tmp_path / "blue.jsonl"), str(tmp_path / "red.jsonl"),
                 "--lang", "ru"]) == 0
    out = capsys.readouterr()
    assert "Учебный сценарий: офис связи НАТО в Токио" in out.out and out.err == ""
    assert "## Где пути групп разошлись" in out.out and "diverged" not in out.out  # its words too
    assert main(["report", str(tmp_path / "red.jsonl"), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "Tutorial: a NATO liaison office in Tokyo" in out and "Офис" not in out
    assert main(["report", str(tmp_path / "red.jsonl"), "--scenario", str(path)]) == 0
    assert "Учебный сценарий" in capsys.readouterr().out    # the session's own language


def test_lint_reports_stale_and_missing_and_coverage(tmp_path, capsys):
    from tui.cli import main
    path = tutorial_copy(tmp_path)
    assert main(["lint", "--no-explore", str(path)]) == 0
    assert "Russian text 100% translated (94 of 94 current, 0 stale, 0 missing)" in \
        capsys.readouterr().out
    edit(path, "title: Japan presses for an agreement", "title: Japan presses NATO hard")
    table = table_path(path, "ru")
    edit(table, "  inject.beijing_again.title:", "  inject.beijing_again.titl:")
    assert main(["lint", "--no-explore", "--json", str(path)]) == 1
    out = json.loads(capsys.readouterr().out)
    codes = sorted((d["code"], d["line"]) for d in out["diagnostics"])
    stale_line = table.read_text(encoding="utf-8").splitlines().index(
        "  branch.press_negotiations.title:") + 1
    beijing_line = table.read_text(encoding="utf-8").splitlines().index(
        "  inject.beijing_again.titl:") + 1
    assert codes == [("SP802", beijing_line), ("SP803", 1), ("SP804", stale_line)]
    assert out["coverage"][str(path)]["ru"] == {"total": 94, "current": 92, "stale": 1,
                                                "missing": 1}


# ------------------------------------------------------------------------- the bundled exercise

@pytest.mark.parametrize("which", ["main", "tutorial"])
def test_the_bundled_scenarios_are_wholly_in_russian(which):
    import re

    from engine.bundled import main_scenario
    sc = load_scenario(main_scenario() if which == "main" else tutorial_scenario())
    t = translate(sc, "ru")
    assert t.diagnostics == ()
    assert t.coverage.current == t.coverage.total and t.coverage.percent == 100.0
    ru = source_strings(t.scenario)
    # Names the article itself writes in Latin letters: G7, Statista and the foreign literature
    # it cites (its authors and their bracketed references).
    latin = [k for k, text in ru.items() if not re.search("[А-Яа-яЁё]", text)]
    foreign = ("dieter_2021", "sakaki_2023", "glatz_et_al_2018", "johnston_2017", "sloan_2020")
    assert all(k in ("actor.g7", "source.statista_bundeswehr_abroad_2022.issuer")
               or k.split(".")[1] in foreign for k in latin), latin
    assert t.scenario.logic_hash == sc.logic_hash


def test_lint_prints_full_russian_coverage_of_the_bundled_scenario(capsys):
    from engine.bundled import main_scenario
    from tui.cli import main
    assert main(["lint", "--no-explore", str(main_scenario())]) == 0
    out = capsys.readouterr().out
    assert "Russian text 100% translated (528 of 528 current, 0 stale, 0 missing)" in out


def test_translate_starts_a_table_and_adds_only_what_is_missing(tmp_path, capsys):
    from tui.cli import main
    path = copy_tutorial(tmp_path)
    assert main(["translate", str(path), "--lang", "de"]) == 0
    table = table_path(path, "de")
    assert f"{table}: added 94 texts to translate" in capsys.readouterr().out
    t = translate(load_scenario(path), "de")
    assert t.coverage.current == 0 and t.coverage.missing == 94
    placeholders = [d for d in t.diagnostics if d.code == "SP803"]
    assert len(placeholders) == 94 and all(d.line > 1 for d in placeholders)   # at each entry
    edit(table, '  branch.open_office.title:\n    of: \'433a3946\'\n    text: ""',
         "  branch.open_office.title:\n    of: '433a3946'\n    text: NATO eröffnet sein Büro")
    edit(path, "title: Beijing warns again", "title: Beijing warns once more")
    edit(path, "  - id: china_protests\n", "  - id: china_protests\n    narrative: Beijing protests.\n")
    assert main(["translate", str(path), "--lang", "de"]) == 0
    assert "added 1 text to translate" in capsys.readouterr().out     # only the new narrative
    t = translate(load_scenario(path), "de")
    assert t.scenario.branches["open_office"].title == "NATO eröffnet sein Büro"
    assert (t.coverage.current, t.coverage.stale, t.coverage.missing) == (1, 0, 94)
    assert "# en: Beijing protests." in table.read_text(encoding="utf-8")
    assert main(["translate", str(path), "--lang", "en"]) == 1


def test_translate_refuses_a_table_it_cannot_append_to(tmp_path, capsys):
    from tui.cli import main
    path = copy_tutorial(tmp_path)
    table = table_path(path, "de")
    table.write_text("strings: {}\nspillover-strings: 1\nlang: de\n", encoding="utf-8")
    assert main(["translate", str(path), "--lang", "de"]) == 1
    assert "must be the table's last key" in capsys.readouterr().err
    table.write_text("spillover-strings: 1\nlang: de\nstrings: {}\n", encoding="utf-8")
    assert main(["translate", str(path), "--lang", "de"]) == 1
    assert table.read_text(encoding="utf-8") == "spillover-strings: 1\nlang: de\nstrings: {}\n"


def test_lang_options_are_checked_on_every_command_that_has_them(capsys, monkeypatch):
    import tui.cli
    from tui.cli import _parser, main
    for argv in (["run", "--lang", "ru"], ["report", "x.jsonl", "--lang", "ru"],
                 ["compare", "a", "b", "--lang", "ru"], ["lint", "x.yaml", "--lang", "ru"]):
        assert _parser().parse_args(argv).lang == "ru"
    with pytest.raises(SystemExit) as e:
        main(["lint", "x.yaml", "--lang", "Russian"])
    assert e.value.code == 2 and "'Russian' is not a language code" in capsys.readouterr().err
    assert main(["lint", "--no-explore", "--lang", "zz", str(tutorial_scenario())]) == 0
    out = capsys.readouterr().out                               # a code no locale knows
    assert "zz text 0% translated (0 of 94 current, 0 stale, 94 missing)" in out
    started = {}
    monkeypatch.setattr(tui.cli, "_tui", lambda **kw: started.update(kw) or 0)
    assert main(["--lang", "ru"]) == 0                        # `spillover --lang ru` is `run`
    assert started["lang"] == "ru" and started["scenario_path"].name == "nato-japan-prospects.yaml"


def test_the_debriefs_texts_are_translated_too():
    """Purpose, scope and each objective (text, capabilities, questions) come from the string
    table: the hotwash and the report of a Russian session show no English objective."""
    from engine.bundled import main_scenario
    from engine.format.tables import load_scenario_in
    en, ru = load_scenario(main_scenario()), load_scenario_in(main_scenario(), "ru")
    assert ru.logic_hash == en.logic_hash
    assert ru.purpose.startswith("Ход за ходом") and ru.scope.startswith("С середины 2023")
    for a, b in zip(en.objectives, ru.objectives):
        assert a.id == b.id and a.text != b.text
        assert len(a.capabilities) == len(b.capabilities) and len(a.questions) == len(b.questions)
        assert all(x != y for x, y in zip(a.capabilities + a.questions,
                                           b.capabilities + b.questions))
    assert ru.objectives[0].capabilities[0] == "Выработка консенсуса в альянсе"


# ------------------------------------------------------------------------- a source's details

def test_a_sources_details_are_translated_in_a_russian_report(tmp_path, capsys):
    """`source.ID.details` (year, volume, issue, pages) comes from the catalogue's table: a
    Russian report of an English session cites the article as «2023 г.», not «year 2023»."""
    from engine.bundled import main_scenario
    from engine.play.session import Session
    from tui.cli import main
    en, ru = load_scenario(main_scenario()), load_scenario_in(main_scenario(), "ru")
    assert en.sources["kissinger_on_china"].details == "year 2011, pages 261-433"
    assert ru.sources["kissinger_on_china"].details == "2011 г., с. 261–433"
    assert source_strings(en)["source.trunov_article.details"] == "year 2023"
    log = tmp_path / "s.jsonl"
    s = Session.start(en, seed=1, group="Blue", log_path=log)
    s.next_turn()
    s.choose("defence_planning", "nato_targets", "cites the 2022 expenditure figures")
    if s.pending_roll():
        s.roll()
    s.end()
    s.close()
    assert main(["report", str(log), "--lang", "ru"]) == 0
    md = capsys.readouterr().out
    assert "2023 г." in md and "с. 8, 12" in md
    assert "year 2023" not in md and "pages 8, 12" not in md
    assert main(["report", str(log), "--lang", "en"]) == 0
    md = capsys.readouterr().out
    assert "year 2023" in md and "pages 8, 12" in md


def test_lint_reports_a_missing_or_stale_details_translation(tmp_path, capsys):
    from engine.bundled import main_scenario
    from tui.cli import main
    folder = tmp_path / "b"
    shutil.copytree(main_scenario().parent.parent / "scenarios", folder / "scenarios")
    shutil.copytree(main_scenario().parent.parent / "seeds", folder / "seeds")
    path = folder / "scenarios" / main_scenario().name
    table = folder / "seeds" / "sources.ru.yaml"
    lines = table.read_text(encoding="utf-8").splitlines()
    at = lines.index("  source.trunov_article.details:")
    table.write_text("\n".join(lines[:at] + lines[at + 3:]) + "\n", encoding="utf-8")
    edit(folder / "seeds" / "sources.yaml", 'pages: "8, 12"', 'pages: "8, 13"')
    assert main(["lint", "--no-explore", "--json", str(path)]) == 0
    out = json.loads(capsys.readouterr().out)
    found = {(d["code"], d["message"]) for d in out["diagnostics"]}
    assert ("SP803", "'source.trunov_article.details' has no Russian translation") in found
    assert ("SP804", "the translation of 'source.nato_defence_expenditure_2022.details' is "
                     "stale: the source text changed since it was translated") in found
    assert out["coverage"][str(path)]["ru"] == {"total": 528, "current": 526, "stale": 1,
                                                "missing": 1}
