"""The interface language: catalogues, Russian plural forms, locale formatting, resolution."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from engine import i18n
from engine.i18n import Messages, resolve_language, save_language

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("n, word", [(1, "ход"), (2, "хода"), (4, "хода"), (5, "ходов"),
                                     (11, "ходов"), (12, "ходов"), (14, "ходов"), (21, "ход"),
                                     (22, "хода"), (25, "ходов"), (101, "ход"), (111, "ходов")])
def test_russian_plural_forms(n, word):
    assert Messages("ru").n_("{n} turn", "{n} turns", n).format(n=n) == f"{n} {word}"


def test_english_and_unknown_languages_use_the_messages_as_written():
    for lang in ("en", "xx"):
        m = Messages(lang)
        assert m.n_("{n} turn", "{n} turns", 1) == "{n} turn"
        assert m.n_("{n} turn", "{n} turns", 5) == "{n} turns"
    assert Messages("ru").n_("{n} error", "{n} errors", 3).format(n=3) == "3 ошибки"


def test_numbers_percentages_and_dates_follow_the_locale():
    ru, en = Messages("ru"), Messages("en")
    assert ru.number(800000) == "800\N{NO-BREAK SPACE}000" and en.number(800000) == "800,000"
    assert ru.number(1.5) == "1,5" and en.number(1.5) == "1.5"
    assert ru.percent(0.58) == "58\N{NO-BREAK SPACE}%" and en.percent(0.58) == "58%"
    day = dt.date(2027, 12, 31)
    plain = {ord("\N{NARROW NO-BREAK SPACE}"): " ", ord("\N{NO-BREAK SPACE}"): " "}  # CLDR varies
    assert ru.date(day).translate(plain) == "31 декабря 2027 г."
    assert en.date(day) == "December 31, 2027"
    assert Messages("xx").number(1000) == "1,000"          # no such locale: English forms


def test_the_language_comes_from_the_flag_then_the_setting_then_the_environment(tmp_path):
    env = {"LANG": "ru_RU.UTF-8"}
    assert resolve_language(None, {}) == "en"
    assert resolve_language(None, {"LANG": "C.UTF-8"}) == "en"
    assert resolve_language(None, env) == "ru"
    assert resolve_language(None, {"LC_ALL": "de_DE.UTF-8", "LANG": "ru_RU.UTF-8"}) == "de"
    assert resolve_language(None, {"LC_MESSAGES": "ru_RU", "LANG": "en_GB.UTF-8"}) == "ru"
    path = save_language("en")
    assert path.parent == i18n.config_dir() and resolve_language(None, env) == "en"
    assert resolve_language("ru", {}) == "ru"
    path.write_text("not a language\n", encoding="utf-8")   # an odd file counts as no setting
    assert resolve_language(None, env) == "ru"
    with pytest.raises(ValueError):
        save_language("../etc")


def test_compiled_catalogues_match_their_sources():
    from babel.messages.pofile import read_po
    assert i18n.available() == ["en", "ru"]
    for lang in i18n.available()[1:]:
        po = i18n.LOCALE_DIR / lang / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
        with po.open("rb") as f:
            catalogue = read_po(f, locale=lang)
        m = Messages(lang)
        for msg in catalogue:
            if not msg.id:
                continue
            assert msg.string and not msg.fuzzy, f"{lang}: untranslated {msg.id!r}"
            if isinstance(msg.id, tuple):      # every plural form, as the catalogue picks it
                import gettext
                form = gettext.c2py(catalogue.plural_expr)
                for k in (1, 2, 5, 11, 21, 22, 25):
                    assert m.n_(msg.id[0], msg.id[1], k) == msg.string[form(k)], \
                        "run pybabel compile"
            else:
                assert m._(msg.id) == msg.string, "run pybabel compile"


def test_every_wrapped_message_is_in_the_template():
    """The template (and so every catalogue made from it) holds every message in the code."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg
    from babel.messages.pofile import read_po
    with (ROOT / "babel.cfg").open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    found = {m[2] if isinstance(m[2], str) else m[2][0] for m in extract_from_dir(
        str(ROOT), method_map=method_map, options_map=options_map,
        keywords={"_": None, "ngettext": (1, 2), "n_": (1, 2), "N_": None})}
    with (i18n.LOCALE_DIR / "spillover.pot").open("rb") as f:
        template = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    assert found <= template, f"run pybabel extract (docs/AUTHORING.md): {sorted(found - template)}"


def test_lint_speaks_the_language_it_is_given(capsys):
    from engine.bundled import tutorial_scenario
    from tui.cli import main
    assert main(["lint", "--no-explore", "--lang", "ru", str(tutorial_scenario())]) == 0
    out = capsys.readouterr().out
    assert "Учебный сценарий: офис связи НАТО в Токио — 7 ветвей, 3 вброса, 5 переменных, " \
           "4 хода, 3 события" in out
    assert "переведён на 100\N{NO-BREAK SPACE}% (актуально 94 из 94" in out
    assert out.rstrip().endswith("0 ошибок, 0 предупреждений")


def test_translate_speaks_the_environments_language(tmp_path, monkeypatch, capsys):
    import shutil

    from engine.bundled import tutorial_scenario
    from tui.cli import main
    path = tmp_path / "tutorial.yaml"
    shutil.copyfile(tutorial_scenario(), path)
    monkeypatch.setenv("LANG", "ru_RU.UTF-8")
    assert main(["translate", str(path), "--lang", "de"]) == 0
    assert "tutorial.de.yaml: добавлено 94 текста для перевода" in capsys.readouterr().out
    assert main(["translate", str(path), "--lang", "de"]) == 0
    assert capsys.readouterr().out.startswith("У каждого текста уже есть запись для «de»")
