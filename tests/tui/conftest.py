"""Fixtures for the TUI's Pilot and snapshot tests: deterministic apps on known scenarios."""

from __future__ import annotations

from pathlib import Path

import pytest
from tui_helpers import FIXTURES

from engine.bundled import tutorial_scenario


@pytest.fixture(autouse=True)
def user_config(tmp_path, monkeypatch) -> Path:
    """User settings go to a temporary folder: the tests never read or change the real ones."""
    folder = tmp_path / "config"
    monkeypatch.setenv("SPILLOVER_CONFIG_DIR", str(folder))
    return folder


@pytest.fixture
def tutorial_path() -> Path:
    return tutorial_scenario()


@pytest.fixture
def multilingual_path() -> Path:
    return FIXTURES / "multilingual.yaml"


@pytest.fixture
def log_path(tmp_path) -> Path:
    return tmp_path / "sessions" / "blue.jsonl"
