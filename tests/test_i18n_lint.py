"""`lint` in the interface language: diagnostics, hints and the reachability line in Russian,
with codes, ids and file:line:col as they are, and the same machine fields in --json."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from engine.bundled import tutorial_scenario
from tui.cli import main

LOCATED = re.compile(r"^(\S+:\d+:\d+): (SP\d{3}) ", re.M)


def _tutorial(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for p in tutorial_scenario().parent.glob("tutorial*.yaml"):
        shutil.copyfile(p, folder / p.name)
    return folder / "tutorial.yaml"


def _edit(path: Path, *pairs: tuple[str, str]) -> Path:
    text = path.read_text(encoding="utf-8")
    for old, new in pairs:
        assert old in text
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def scenarios(tmp_path):
    """One scenario with errors (a misspelt key, a misspelt variable, an undefined event), and
    one that loads with a branch proved never playable (with its Russian string table)."""
    broken = _edit(_tutorial(tmp_path / "broken"),
                   ("    title: Japan presses for an agreement",
                    "    titel: Japan presses for an agreement"),
                   ("    when: china_pressure >= 1", "    when: china_presure >= 1"),
                   ("    cites: [china_warns_on_office]", "    cites: [china_warns_on_offices]"))
    dead = _edit(_tutorial(tmp_path / "dead"),
                 ("    when: office == open", "    when: [office == open, china_pressure > 3]"))
    return [str(broken), str(dead), "--max-states", "5"]


def test_lint_speaks_russian_and_keeps_codes_ids_and_places(scenarios, capsys):
    assert main(["lint", *scenarios, "--lang", "en"]) == 1
    en = capsys.readouterr().out
    assert main(["lint", *scenarios, "--lang", "ru"]) == 1
    ru = capsys.readouterr().out
    assert LOCATED.findall(ru) == LOCATED.findall(en) != []
    assert ": SP201 неизвестный ключ «titel»: сценарий → «branches» → пункт 1\n" \
           "    подсказка: возможно, имелось в виду «title»?" in ru
    assert ": SP402 ветвь «answer_beijing», предусловие: «china_presure» — не переменная " \
           "состояния\n    подсказка: возможно, имелось в виду «china_pressure»?" in ru
    assert ": SP302 ветвь «answer_beijing»: событие «china_warns_on_offices» не определено" in ru
    assert ": SP506 предупреждение: ветвь «brief_partners» никогда не может быть сыграна: " \
           "`china_pressure > 3` не выполняется" in ru
    assert "подсказка: сверьте это предусловие с последствиями" in ru
    reach = next(line for line in ru.splitlines() if "достижимость" in line)
    assert reach.endswith("достижимость проверена НЕ полностью — остановлена на своём бюджете в "
                          "5 состояний; ход 0 перебран полностью; ход 1 перебран не полностью; "
                          "6 из 7 ветвей сыграны хотя бы раз (5 из них — только в 50 случайных "
                          "прогонах); тем не менее доказано, что никогда не сыграют: "
                          "brief_partners. Другие ветви, которые никогда не сыграют, и ходы, в "
                          "которых нечего играть, не выявлены; `spillover explore` с бо́льшим "
                          "--max-states доведёт проверку до конца")
    # nothing English is left in the diagnostics and hints (ids, code and syntax aside)
    said = [line for line in ru.splitlines() if LOCATED.match(line) or line.startswith("    ")]
    words = set(re.findall(r"[A-Za-z][a-z]{3,}", " ".join(said)))
    assert words <= {"titel", "title", "branches", "answer", "beijing", "china", "presure",
                     "pressure", "warns", "office", "offices", "brief", "partners",
                     "tmp"} | set(re.findall(r"[A-Za-z][a-z]{3,}", " ".join(scenarios))), words


def test_lint_json_keeps_its_machine_fields_in_any_language(scenarios, capsys):
    runs = {}
    for lang in ("en", "ru"):
        assert main(["lint", *scenarios, "--json", "--lang", lang]) == 1
        runs[lang] = json.loads(capsys.readouterr().out)
    fields = ("file", "line", "col", "code", "severity")
    en, ru = ([{k: d[k] for k in fields} for d in runs[lang]["diagnostics"]] for lang in runs)
    assert en == ru and len(en) == 4
    messages = [(a["message"], b["message"]) for a, b in zip(runs["en"]["diagnostics"],
                                                             runs["ru"]["diagnostics"])]
    assert all(a != b for a, b in messages)
    assert messages[0] == ("unknown key 'titel' in item 1 of 'branches' in the scenario",
                           "неизвестный ключ «titel»: сценарий → «branches» → пункт 1")


def test_translation_diagnostics_speak_russian_and_name_the_language_in_it(tmp_path, capsys):
    path = tmp_path / "alone.yaml"
    shutil.copyfile(tutorial_scenario(), path)             # no string table beside it
    assert main(["lint", str(path), "--no-explore", "--lang", "ru"]) == 0
    out = capsys.readouterr().out
    assert "alone.ru.yaml: SP803 предупреждение: нет таблицы строк (язык: русский) для " \
           "alone.yaml: 94 текста не переведены\n    подсказка: её начнёт `spillover " \
           f"translate {path} --lang ru`" in out


@pytest.mark.parametrize("extra", ["", "a: &anchor 1\n"])     # the fast path; the event path
def test_yaml_problems_in_russian_on_both_reading_paths(tmp_path, extra):
    from engine.format.yamlsource import load_yaml_text
    from engine.i18n import language
    text = "b: 1\nb: 2\nc: !!python/object:os.system x\n" + extra
    with language("ru"):
        _data, diags = load_yaml_text(text, "f.yaml")
    said = [(d.code, d.line, d.message, d.hint) for d in diags]
    assert said == [
        ("SP105", 2, "ключ «b» встречается в этом отображении дважды",
         "«b» впервые записан в строке 1; удалите или переименуйте один из них"),
        ("SP106", 3, "тег !!python/object:os.system отклонён: допустимы только простые данные "
         "(текст, числа, true/false, null, списки и отображения)",
         "уберите тег и запишите значение простыми данными")]


FORMAT2_IN_FORMAT1 = """\
spillover: 1
id: mixed
title: Mixed
start: 2024-01-01
turns:
  - {label: T0, date: 2024-01-01}
  - {label: T1, date: 2024-06-01}
state:
  trust: {type: int, range: [0, 3], initial: 1, labels: {low: Low}}
  deal: {type: enum, values: [none, full], initial: none, labels: {half: Half}}
  pool: {type: set, of: [ships, jets], initial: [], labels: {tanks: Tanks}}
branches:
  - id: talks
    title: Talks
    adjudication:
      dice: 2d6
      results:
        - {id: failure, label: Failure, max: 6}
        - {id: success, label: Success, min: 7}
    options:
      - id: open
        label: Open talks
        outcomes:
          success: {effects: [deal = full]}
  - id: press
    title: Press
    adjudication: {dice: 2d6, against: {dice: 2d6, label: Them}}
    options:
      - {id: go, label: Go}
  - id: wait
    title: Wait
    options:
      - id: hold
        label: Hold
        outcomes:
          success: {effects: [trust += 1]}
"""


def test_format_two_features_and_labels_are_refused_in_russian(write_scenario, capsys):
    """What format 1 refuses (graded and opposed rolls, an option's outcomes, outcomes with
    no adjudication) and misplaced labels are said in Russian, each at its place."""
    path = write_scenario(FORMAT2_IN_FORMAT1)
    assert main(["lint", str(path), "--lang", "en", "--no-explore"]) == 1
    en = capsys.readouterr().out
    for said in ("a graded roll (`results`) needs format version 2",
                 "an opposed roll (`against`) needs format version 2",
                 "an option's `outcomes` needs format version 2",
                 "'labels' applies to enum and set variables, not 'trust'",
                 "'half' in the labels of 'deal' is not a value of it (none, full)",
                 "'tanks' in the labels of 'pool' is not a possible member of it (ships, jets)"):
        assert said in en, said
    assert main(["lint", str(path), "--lang", "ru", "--no-explore"]) == 1
    ru = capsys.readouterr().out
    assert LOCATED.findall(ru) == LOCATED.findall(en) != []
    assert "«half» в 'labels' переменной «deal» — не её значение (none, full)" in ru
    said = [line for line in ru.splitlines() if LOCATED.match(line) or line.startswith("    ")]
    words = set(re.findall(r"[A-Za-z][a-z]{3,}", " ".join(said)))
    assert words <= {"labels", "label", "results", "against", "outcomes", "trust", "deal",
                     "half", "pool", "tanks", "full", "none", "ships", "jets", "spillover",
                     "talks", "open", "press", "wait", "hold", "adjudication", "dice",
                     "target", "scenario", "yaml", "version", "success", "failure"} \
        | set(re.findall(r"[A-Za-z][a-z]{3,}", str(path))), words
