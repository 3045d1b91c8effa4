"""The engine's layers: a module imports only from its own layer or the layers below it.

Bottom to top: diagnostics, lang, model, format, play, analysis, debrief, authoring. `engine.bundled` (where
the bundled files live) and the package root are outside the layers and import nothing from
them. The rule is read off the source with `ast`, so a lazy import inside a function counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import engine

LAYERS = ["diagnostics", "lang", "model", "format", "play", "analysis", "debrief", "authoring"]
ROOT = Path(engine.__file__).parent


def engine_modules() -> dict[str, Path]:
    mods = {}
    for path in ROOT.rglob("*.py"):
        if "_bundled" in path.parts:
            continue
        parts = ("engine",) + path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        mods[name] = path
    return mods


def imported_engine_modules(name: str, path: Path) -> set[str]:
    """The engine modules (or packages) that a module imports, wherever the import stands."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.update(f"{base}.{alias.name}" for alias in node.names)
            found.add(base)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {f for f in found if f == "engine" or f.startswith("engine.")}


def layer_of(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else None


MODULES = engine_modules()


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_imports_only_its_own_layer_or_below(name):
    own = layer_of(name)
    upward = []
    for target in sorted(imported_engine_modules(name, MODULES[name])):
        theirs = layer_of(target)
        if theirs is None:
            continue
        if own is None or theirs > own:
            upward.append(target)
    where = "outside the layers" if own is None else f"in layer '{LAYERS[own]}'"
    assert not upward, f"{name} ({where}) imports from a higher layer: {upward}"


def test_every_engine_module_sits_in_a_known_place():
    # A new top-level module must be placed in a layer (or named here, with the reason).
    # engine.i18n (the interface language and its catalogues) imports nothing from the layers,
    # so any layer may use it.
    outside = {"engine", "engine.bundled", "engine.i18n"}
    stray = sorted(m for m in MODULES if layer_of(m) is None and m not in outside)
    assert not stray, f"modules outside the layers: {stray}; move them into a sub-package"


def test_the_layer_check_catches_an_upward_import(tmp_path):
    # Guard the guard: a lang module importing the debrief layer is reported.
    fake = tmp_path / "bad.py"
    fake.write_text("from engine.debrief.report import build_report\n")
    targets = imported_engine_modules("engine.lang.bad", fake)
    assert any(layer_of(t) == LAYERS.index("debrief") for t in targets)
