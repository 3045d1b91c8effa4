"""Where the bundled scenarios and catalogue live: the checkout, or inside the wheel."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def bundled_root() -> Path:
    """The folder holding `scenarios/` and `seeds/`."""
    packaged = _HERE / "_bundled"
    if (packaged / "scenarios").is_dir():
        return packaged                      # installed from a wheel
    return _HERE.parent                      # a checkout or an editable install


def scenarios_dir() -> Path:
    return bundled_root() / "scenarios"


def seeds_dir() -> Path:
    return bundled_root() / "seeds"


def main_scenario() -> Path:
    return scenarios_dir() / "nato-japan-prospects.yaml"


def tutorial_scenario() -> Path:
    return scenarios_dir() / "tutorial.yaml"
