"""The app uses Textual's public API only: no module under `tui/` imports a private Textual
module (`textual.widgets._footer`), and none reads, writes, calls or overrides a `_private`
attribute that a Textual class defines (`_size_updated`, `_refresh_scrollbars`, …).

Read off the source with `ast`, like tests/test_architecture.py. The private names are those
Textual's own classes define, so the app's own `_name` attributes stay allowed unless they
collide with one of Textual's (which would override it by accident). `bench/` is exempt: its
probes read Textual's dirty flags to tell when a frame shows a key's effect.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import textual

import tui

TUI = Path(tui.__file__).parent


def is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_module(module: str) -> bool:
    parts = module.split(".")
    return parts[0] == "textual" and any(is_private(p) for p in parts[1:])


@cache
def textual_private_names() -> frozenset[str]:
    """Every `_name` defined by a class of Textual's public modules (and their bases)."""
    names: set[str] = set()
    for info in pkgutil.walk_packages(textual.__path__, "textual."):
        if private_module(info.name) or ".demo" in info.name or "__main__" in info.name:
            continue
        try:
            module = importlib.import_module(info.name)
        except Exception:               # optional extras (e.g. tree-sitter languages)
            continue
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if not cls.__module__.startswith("textual"):
                continue
            for klass in cls.__mro__:
                if klass.__module__.startswith("textual"):
                    names.update(n for n in vars(klass) if is_private(n))
    return frozenset(names)


def module_name(path: Path) -> str:
    parts = ("tui",) + path.relative_to(TUI).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def body_names(node: ast.ClassDef) -> set[str]:
    """The private names a class statement defines in its body (methods, attributes)."""
    names = set()
    for item in node.body:
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(item.name)
        elif isinstance(item, ast.Assign):
            names.update(t.id for t in item.targets if isinstance(t, ast.Name))
        elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
            names.add(item.target.id)
    return {n for n in names if is_private(n)}


def textual_defined(cls: type) -> set[str]:
    """The private names the Textual classes above `cls` define."""
    return {n for k in cls.__mro__[1:] if k.__module__.startswith("textual")
            for n in vars(k) if is_private(n)}


def tui_class_statements() -> list[tuple[Path, ast.ClassDef, type]]:
    """Each top-level class of the app's modules: its file, statement and class."""
    out = []
    for path in sorted(TUI.rglob("*.py")):
        module = importlib.import_module(module_name(path))
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef):
                out.append((path, node, getattr(module, node.name)))
    return out


def violations(path: Path, private: frozenset[str]) -> list[str]:
    """Private Textual modules imported, and private Textual names read, written or called
    (`private`: Textual's private names less the app's own that override none of them)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    where = path.relative_to(TUI.parent)
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and private_module(node.module):
            out.append(f"{where}:{node.lineno}: imports {node.module}")
        elif isinstance(node, ast.Import):
            out += [f"{where}:{node.lineno}: imports {a.name}" for a in node.names
                    if private_module(a.name)]
        elif isinstance(node, ast.Attribute) and node.attr in private:
            out.append(f"{where}:{node.lineno}: uses Textual's private {node.attr}")
    return out


def test_the_check_sees_private_use(tmp_path):
    """The check itself bites: each kind of private use is reported."""
    from textual.widgets import OptionList
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from textual.widgets._footer import FooterKey\n"
        "import textual._context\n"
        "def f(w): return w._refresh_scrollbars()\n", encoding="utf-8")
    found = violations(sample.rename(TUI / "_sample_for_test.py"), textual_private_names())
    (TUI / "_sample_for_test.py").unlink()
    assert len(found) == 3, found

    class Sample(OptionList):
        _own = 1

        def _update_lines(self) -> None:
            pass
    statement = ast.parse("class Sample(OptionList):\n    _own = 1\n"
                          "    def _update_lines(self): pass\n").body[0]
    assert isinstance(statement, ast.ClassDef)
    assert body_names(statement) & textual_defined(Sample) == {"_update_lines"}


def test_tui_uses_only_public_textual_api():
    textual_private = textual_private_names()
    assert {"_size_updated", "_refresh_scrollbars", "_set_prompt"} <= textual_private
    statements = tui_class_statements()
    by_class = {cls: node for _, node, cls in statements}
    found = []
    for path, node, cls in statements:     # a mixin's names count in the classes using it
        mine = {n for k in cls.__mro__ if k in by_class for n in body_names(by_class[k])}
        found += [f"{path.relative_to(TUI.parent)}:{node.lineno}: {node.name} overrides "
                  f"Textual's private {n}" for n in sorted(mine & textual_defined(cls))]
    own = {n for _, node, _ in statements for n in body_names(node)}
    private = textual_private - own
    found += [v for path in sorted(TUI.rglob("*.py")) for v in violations(path, private)]
    assert not found, "\n".join(found)


def test_importing_the_app_leaves_the_garbage_collector_alone():
    """Only `spillover`'s own start (`tui.cli._tui` → `tui.app.run_in_terminal`) pauses the
    collector; importing the app, as tests and textual-serve do, does not."""
    code = ("import gc, tui.app, tui.watch, tui.serve; "
            "print(gc.isenabled(), tui.app.SpilloverApp().manage_gc)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=TUI.parent).stdout.split()
    assert out == ["True", "False"]
