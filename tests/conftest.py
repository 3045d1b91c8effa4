import textwrap
from pathlib import Path

import pytest

from engine.bundled import tutorial_scenario
from engine.loader import load_scenario


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
