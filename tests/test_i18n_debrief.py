"""The debrief in the interface language: the after-action report and the comparison of
English and Russian sessions, in Russian or English whatever language the session ran in."""

from __future__ import annotations

import json
import re
import shutil
from html import unescape
from pathlib import Path

import pytest
from aar_sessions import play_blue, play_gold

from engine.bundled import tutorial_scenario
from engine.format.loader import load_scenario
from engine.format.strings import source_strings
from engine.format.tables import load_scenario_in
from engine.play.views import readable_name
from tui.cli import main

# Latin words a Russian report may still hold: time zones, the HSEEP rating letters, dice.
ALLOWED = {"UTC", "MSK", "P", "S", "M", "U", "d"}
LATIN = re.compile(r"[A-Za-z][A-Za-z'’-]*")


def _tutorial(folder: Path) -> Path:
    """The tutorial with its Russian string table."""
    folder.mkdir(parents=True, exist_ok=True)
    for p in tutorial_scenario().parent.glob("tutorial*.yaml"):
        shutil.copyfile(p, folder / p.name)
    return folder / "tutorial.yaml"


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _not_ours(scenario: Path, logs: list[Path]) -> list[str]:
    """Text the interface does not write: what the groups typed (every string in the logs),
    the scenario's text in both languages (the tutorial's purpose, scope and objectives have
    no Russian yet), its ids, and the catalogue's sources (issuers, titles)."""
    out = [s for log in logs for line in log.read_text(encoding="utf-8").splitlines()
           for s in _strings(json.loads(line))]
    for sc in (load_scenario(scenario), load_scenario_in(scenario, "ru")):
        out += list(source_strings(sc).values()) + [sc.purpose, sc.scope]
        out += [o.text for o in sc.objectives] + [c for o in sc.objectives for c in o.capabilities]
        out += [q for o in sc.objectives for q in o.questions]
        out += [readable_name(x, sc.actors) for v in sc.variables
                for x in getattr(v.type, "universe", ())]
        for src in sc.sources.values():
            out += [src.issuer, src.title, src.url, src.published, src.details]
    out += [str(x) for x in logs] + [str(scenario), "tutorial"]
    out += [line for s in out for line in s.splitlines()]
    return sorted({s.strip() for s in out if s and s.strip()}, key=len, reverse=True)


def english_left(text: str, not_ours: list[str]) -> set[str]:
    """Latin words of `text` outside the given strings (as whole words), markup and the
    allowlist."""
    text = re.sub(r"https?://\S+", " ", text)
    text = re.sub(r"\b[0-9a-f]{64}\b", " ", text)          # hashes
    for s in not_ours:
        text = re.sub(r"(?<!\w)" + re.escape(s) + r"(?!\w)", " ", text)
    return set(LATIN.findall(text)) - ALLOWED


@pytest.fixture(scope="module")
def sessions(tmp_path_factory):
    """An English session of every kind of action, and one with a full debrief."""
    folder = tmp_path_factory.mktemp("i18n_debrief")
    path = _tutorial(folder)
    play_blue(path, folder / "blue.jsonl").close()
    play_gold(path, folder / "gold.jsonl")
    play_blue(path, folder / "blue_ru.jsonl", group="Синие", lang="ru").close()
    return path, folder


@pytest.mark.parametrize("log", ["blue", "gold"])
def test_a_russian_report_of_an_english_session_has_no_english_left(sessions, log, capsys,
                                                                      tmp_path):
    path, folder = sessions
    logs = [folder / f"{log}.jsonl"]
    assert main(["report", str(logs[0]), "--lang", "ru"]) == 0
    md = capsys.readouterr().out
    html_path = tmp_path / "report.html"
    assert main(["report", str(logs[0]), "--lang", "ru", "-o", str(html_path)]) == 0
    capsys.readouterr()
    html = html_path.read_text(encoding="utf-8")
    assert '<html lang="ru">' in html
    html = re.sub(r"<style>.*?</style>", " ", html, flags=re.S)     # CSS is not text
    html = unescape(re.sub(r"<[^>]*>", " ", html))
    not_ours = _not_ours(path, logs)
    assert "Отчёт по итогам учения и план улучшений" in md and "## 5. Хронология" in md
    assert "Приложение А. Происхождение записи" in html
    assert english_left(md, not_ours) == set()
    assert english_left(html, not_ours) == set()


def test_the_check_finds_an_english_heading(sessions, capsys):
    """The check bites: an English interface string is found in the Russian report."""
    path, folder = sessions
    log = folder / "blue.jsonl"
    assert main(["report", str(log), "--lang", "ru"]) == 0
    md = capsys.readouterr().out
    assert english_left(md.replace("## 5. Хронология", "## 5. Timeline"),
                        _not_ours(path, [log])) == {"Timeline"}


def test_plural_forms_and_numbers_in_the_russian_report(sessions, capsys):
    path, folder = sessions
    assert main(["report", str(folder / "gold.jsonl"), "--lang", "ru"]) == 0
    md = capsys.readouterr().out
    assert "воспроизводятся 17 действий, и состояния в точности совпадают с записанными" in md
    assert "| Наблюдения | 3 (2 сильные стороны, 1 область для улучшения) |" in md
    assert "| Даты | 1 марта 2024\N{NO-BREAK SPACE}г., 13:10 — 13:27 (MSK, UTC+03:00) |" \
        in md.replace(" г.", "\N{NO-BREAK SPACE}г.")                     # CLDR varies the space


def test_a_russian_session_reported_in_english(sessions, capsys):
    path, folder = sessions
    log = folder / "blue_ru.jsonl"
    assert main(["report", str(log), "--lang", "en"]) == 0
    md = capsys.readouterr().out
    assert "# After-action report and improvement plan: Tutorial: a NATO liaison office" in md
    assert "Verified and ended: 15 actions replay" in md
    left = re.search("[А-Яа-яЁё]+", md.replace("Синие", ""))
    assert left is None, md[left.start() - 200:left.end() + 50]
    # without --lang: the interface speaks the environment's language (English here), the
    # scenario's text stays in the session's language
    assert main(["report", str(log)]) == 0
    md = capsys.readouterr().out
    assert "## 5. Timeline" in md and "Учебный сценарий" in md


def test_english_and_russian_sessions_compared_in_one_run_in_either_language(sessions, capsys,
                                                                             tmp_path):
    path, folder = sessions
    logs = [folder / "blue.jsonl", folder / "gold.jsonl", folder / "blue_ru.jsonl"]
    assert main(["compare", *map(str, logs), "--lang", "ru"]) == 0
    out = capsys.readouterr()
    assert out.err == "" and "# Сравнение: Учебный сценарий" in out.out
    assert "- **Blue** и **Синие**: расхождений нет — те же 5 решений в те же ходы." in out.out
    assert english_left(out.out, _not_ours(path, logs)) == set()
    html_path = tmp_path / "compare.html"
    assert main(["compare", *map(str, logs), "--lang", "ru", "-o", str(html_path)]) == 0
    capsys.readouterr()                       # what it said about the file it wrote
    html = html_path.read_text(encoding="utf-8")
    assert '<html lang="ru">' in html
    html = unescape(re.sub(r"<[^>]*>", " ", re.sub(r"<style>.*?</style>", " ", html, flags=re.S)))
    assert english_left(html, _not_ours(path, logs)) == set()
    assert main(["compare", *map(str, logs), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "## Where the groups diverged" in out and "Comparison: Tutorial" in out
    left = re.search("[А-Яа-яЁё]+", out.replace("Синие", ""))
    assert left is None, out[left.start() - 200:left.end() + 50]
