"""User settings: kept in the config folder, never an error when missing or damaged."""

from tui.settings import load_settings, save_setting


def test_settings_round_trip_and_keep_other_keys(tmp_path):
    folder = tmp_path / "cfg"
    assert load_settings(folder) == {}
    assert save_setting("theme", "textual-light", folder)
    assert save_setting("other", 3, folder)
    assert load_settings(folder) == {"theme": "textual-light", "other": 3}


def test_damaged_or_foreign_files_give_defaults(tmp_path):
    (tmp_path / "settings.json").write_text("{not json")
    assert load_settings(tmp_path) == {}
    (tmp_path / "settings.json").write_text("[1, 2]")
    assert load_settings(tmp_path) == {}
    (tmp_path / "settings.json").write_text('{"theme": "' + "x" * 70_000 + '"}')
    assert load_settings(tmp_path) == {}
    assert save_setting("theme", "nord", tmp_path)          # replaces the damaged file
    assert load_settings(tmp_path) == {"theme": "nord"}


def test_unwritable_folder_is_not_an_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert save_setting("theme", "nord", blocker / "sub") is False


def test_env_var_chooses_the_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("SPILLOVER_CONFIG_DIR", str(tmp_path))
    save_setting("theme", "dracula")
    assert load_settings() == {"theme": "dracula"}
    assert (tmp_path / "settings.json").exists()
