"""The command line's language: one `--lang` on every command, set before any text; the
saved setting (`spillover settings`)."""

from __future__ import annotations

import pytest

from engine import i18n
from tui.cli import COMMANDS, _parser, interface_lang, main


@pytest.fixture(autouse=True)
def own_config(tmp_path, monkeypatch):
    """A setting saved here stays here (the session's shared config folder stays empty)."""
    monkeypatch.setenv("SPILLOVER_CONFIG_DIR", str(tmp_path / "config"))


def test_every_command_takes_lang(capsys):
    listed = _parser().format_help()
    assert all(f"    {name}" in listed for name in COMMANDS)     # the list is complete
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
    assert capsys.readouterr().out == "language: en (the default)\n"
    assert main(["settings", "--lang", "ru"]) == 0
    assert "язык: ru (сохранён в " in capsys.readouterr().out     # said in the new language
    assert i18n.saved_language() == "ru"
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


def test_help_is_said_in_the_language_given(capsys):
    with pytest.raises(SystemExit):
        main(["explore", "--help", "--lang", "ru"])
    out = capsys.readouterr().out
    assert out.startswith("использование: spillover explore")
    assert "Полный перебор достижимых состояний сценария" in out
    assert "показать эту справку и выйти" in out and "язык интерфейса" in out
    with pytest.raises(SystemExit):
        main(["explore", "--help"])
    out = capsys.readouterr().out
    assert out.startswith("usage: spillover explore") and "Exhaustive exploration" in out


def test_a_bad_language_code_is_refused_in_words(capsys):
    with pytest.raises(SystemExit):
        main(["lint", "--lang", "../x", "x.yaml"])
    assert "'../x' is not a language code such as en or ru" in capsys.readouterr().err


def test_lang_before_the_command_is_the_commands(capsys):
    assert main(["--lang=ru", "schema"]) == 0 and i18n.current_language() == "ru"
    capsys.readouterr()
    i18n.set_language("en")
    assert main(["--lang", "ru", "settings"]) == 0
    assert capsys.readouterr().out.startswith("язык: ru (сохранён в ")


def test_served_apps_speak_the_language_of_serve(tmp_path):
    """`spillover serve` runs the console and the player view in processes of their own
    (one per browser tab): they are given the language `serve` speaks."""
    from tui.serve import console_command, watch_command
    i18n.set_language("ru")
    assert "tui.serve console --lang ru " in console_command(tmp_path / "s.jsonl", None)
    assert "tui.serve watch --lang ru " in watch_command(tmp_path / "s.jsonl", False)


def test_explore_and_randomtest_report_in_russian(capsys):
    from engine.bundled import tutorial_scenario
    path = str(tutorial_scenario())
    assert main(["explore", path, "--lang", "ru", "--max-states", "100"]) == 2
    out = capsys.readouterr().out
    assert "НЕ ЗАВЕРШЁН: различных состояний 100" in out
    assert "остановлено на пределе в 100 различных состояний (--max-states)" in out
    assert "Ветви: сыграть можно" in out and "Тупики: пока не найдены" in out
    assert main(["randomtest", path, "-n", "2", "--lang", "ru"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("randomtest tutorial: 2 прохода, зерно 0 — выполнено 2 за ")
    assert "Охват: ветви " in out and "сыграно по ветвям: " in out


def test_the_player_view_speaks_the_sessions_language(tmp_path, monkeypatch):
    """`spillover watch LOG` without --lang: the room reads the session's language; --lang
    still wins; a log not written yet leaves the usual choice."""
    import tui.cli
    from engine.bundled import tutorial_scenario
    from engine.format.tables import load_scenario_in
    from engine.i18n import current_language
    from engine.play.session import Session
    log = tmp_path / "ru.jsonl"
    Session.start(load_scenario_in(tutorial_scenario(), "ru"), seed=1, group="Синие",
                  log_path=log).close()
    seen = []
    monkeypatch.setattr(tui.cli, "_tui", lambda **kw: seen.append(current_language()) or 0)
    assert tui.cli.main(["watch", str(log)]) == 0
    assert tui.cli.main(["watch", str(log), "--lang", "en"]) == 0
    assert tui.cli.main(["watch", str(tmp_path / "not-yet.jsonl")]) == 0
    assert seen == ["ru", "en", "en"]


def test_a_group_named_in_cyrillic_keeps_its_name_in_the_log_file():
    from engine.bundled import tutorial_scenario
    from engine.format.loader import load_scenario
    from engine.play.session import default_log_path
    sc = load_scenario(tutorial_scenario())
    assert "-мгимо-1-" in default_log_path(sc, "МГИМО-1").name
    assert "-группа-б-" in default_log_path(sc, "Группа Б").name
    assert "-group-" in default_log_path(sc, "  ").name


def test_argparses_own_words_are_said_in_russian_too(capsys):
    """The group headings and the commonest usage errors come from argparse itself."""
    from tui.cli import main
    with pytest.raises(SystemExit):
        main(["lint", "--help", "--lang", "ru"])
    out = capsys.readouterr().out
    assert "позиционные аргументы:" in out and "параметры:" in out
    assert "positional arguments" not in out and "options:" not in out
    with pytest.raises(SystemExit) as e:
        main(["explore", "--lang", "ru"])
    assert e.value.code == 2
    assert capsys.readouterr().err.rstrip().endswith(
        "spillover explore: ошибка: не хватает обязательных аргументов: scenario")
    with pytest.raises(SystemExit):
        main(["explore"])
    assert "error: the following arguments are required: scenario" in capsys.readouterr().err
