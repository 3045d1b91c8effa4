"""The user's settings (the colour theme, …), kept between launches in the platform's
configuration folder (platformdirs), as a small JSON file. Plain functions, no UI: a
missing, unreadable or damaged file gives the defaults and is never an error.

`SPILLOVER_CONFIG_DIR` overrides the folder (the tests point it at a temporary one).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

SETTINGS_FILE = "settings.json"
MAX_BYTES = 64 * 1024          # a settings file is a few lines; anything bigger is not ours


def config_dir() -> Path:
    override = os.environ.get("SPILLOVER_CONFIG_DIR")
    if override:
        return Path(override)
    from platformdirs import user_config_dir
    return Path(user_config_dir("spillover", appauthor=False))


def load_settings(folder: Path | None = None) -> dict[str, Any]:
    path = (folder or config_dir()) / SETTINGS_FILE
    try:
        if path.stat().st_size > MAX_BYTES:
            return {}
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_setting(key: str, value: Any, folder: Path | None = None) -> bool:
    """Set one setting, keeping the others; False (and nothing raised) if it cannot be
    written. The file is replaced whole, so a crash leaves the old or the new one."""
    folder = folder or config_dir()
    data = load_settings(folder)
    data[key] = value
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / (SETTINGS_FILE + ".tmp")
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, folder / SETTINGS_FILE)
    except OSError:
        return False
    return True
