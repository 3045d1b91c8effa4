import textwrap
from pathlib import Path

import pytest

from engine.bundled import tutorial_scenario
from engine.format.loader import load_scenario


@pytest.fixture
def write_scenario(tmp_path):
    """Write YAML text (dedented) to a file in tmp_path and return its path."""
    def write(text: str, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path
    return write


@pytest.fixture(scope="session")
def tutorial():
    return load_scenario(tutorial_scenario())


@pytest.fixture(scope="session")
def aar_played(tmp_path_factory):
    """Two groups' real sessions of a copy of the tutorial (Blue and Red), played once."""
    from aar_sessions import copy_tutorial, play_blue, play_red
    folder = tmp_path_factory.mktemp("aar")
    scenario = copy_tutorial(folder)
    play_blue(scenario, folder / "blue.jsonl")
    play_red(scenario, folder / "red.jsonl")
    return folder


@pytest.fixture(scope="session")
def aar_debriefed(tmp_path_factory):
    """A real session of the tutorial with observations, a structured hotwash and amendments."""
    from aar_sessions import copy_tutorial, play_gold
    folder = tmp_path_factory.mktemp("aar_gold")
    scenario = copy_tutorial(folder)
    play_gold(scenario, folder / "gold.jsonl")
    return folder


@pytest.fixture(autouse=True)
def _interface_language_from_nowhere(monkeypatch, tmp_path_factory):
    """Tests see no saved language setting and an English-neutral locale (engine.i18n)."""
    monkeypatch.setenv("SPILLOVER_CONFIG_DIR", str(tmp_path_factory.getbasetemp() / "config"))
    for var in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    from engine.i18n import set_language
    set_language("en")            # a command run by a test sets the process's language
    yield
    set_language("en")
