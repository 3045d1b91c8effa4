"""The command line's language: one `--lang` on every command, set before any text; the
saved setting (`spillover settings`)."""

from __future__ import annotations

import pytest

from engine import i18n
from tui.cli import _parser, interface_lang, main

COMMANDS = ("run", "resume", "watch", "serve", "replay", "lint", "lsp", "translate", "schema",
            "explore", "randomtest", "graph", "report", "compare", "play", "fork", "settings")


def test_every_command_takes_lang(capsys):
    for name in COMMANDS:
        with pytest.raises(SystemExit):
            _parser().parse_args([name, "--help"])
        assert "--lang LANG" in capsys.readouterr().out, name


@pytest.mark.parametrize("argv, lang", [
    (["lint", "--lang", "ru", "x.yaml"], "ru"), (["report", "--lang=ru", "x"], "ru"),
    (["--lang", "ru"], "ru"), (["lint", "x.yaml"], None), (["lint", "--lang", "../x"], None),
    (["translate", "x.yaml", "--lang", "de"], None), (["lint", "--", "--lang", "ru"], None)])
def test_the_interface_language_of_a_command_line(argv, lang):
    assert interface_lang(argv) == lang


def test_settings_saves_shows_and_forgets_the_language(capsys, monkeypatch):
    assert main(["settings"]) == 0
    assert capsys.readouterr().out == "language: en (from the default)\n"
    assert main(["settings", "--lang", "ru"]) == 0
    assert "(saved in " in capsys.readouterr().out and i18n.saved_language() == "ru"
    i18n.set_language("en")
    assert main(["settings"]) == 0
    assert i18n.current_language() == "ru"           # the setting decides with no --lang
    capsys.readouterr()
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    assert main(["settings", "--forget"]) == 0
    assert i18n.saved_language() is None and i18n.current_language() == "de"
    assert main(["settings", "--lang", "ru", "--forget"]) == 2


def test_the_language_is_set_before_the_command_runs(capsys):
    assert main(["schema", "--lang", "ru"]) == 0
    assert i18n.current_language() == "ru"
