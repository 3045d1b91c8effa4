"""Architecture: the engine never imports Textual; headless commands do not load it."""

import pkgutil
import subprocess
import sys

import pytest

import engine

ENGINE_MODULES = sorted(m.name for m in pkgutil.walk_packages(engine.__path__, "engine.")
                        if "._bundled" not in m.name)


@pytest.mark.parametrize("module", ENGINE_MODULES)
def test_engine_module_imports_without_textual(module):
    code = f"import sys, {module}; assert 'textual' not in sys.modules, 'textual imported'"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# Every headless command, with the files it needs ({tutorial}: the tutorial scenario;
# {blue}/{red}: two real session logs; {out}: a scratch folder for outputs).
HEADLESS = [
    ["lint", "{tutorial}"], ["lint", "--lang", "ru", "{tutorial}"],
    ["translate", "{tutorial}", "--lang", "en"],        # en is refused: nothing is written
    ["schema"], ["--version"], ["replay", "missing.jsonl", "--verify"],
    ["replay", "{blue}", "--verify"],
    ["explore", "{tutorial}", "--json"], ["randomtest", "{tutorial}", "-n", "5"],
    ["graph", "{tutorial}", "--format", "dot"],
    ["report", "{blue}", "-o", "{out}/a.html"], ["compare", "{blue}", "{red}"],
    ["fork", "{blue}", "--at", "2", "--log", "{out}/f.jsonl"],
    ["play", "{tutorial}", "--log", "{out}/p.jsonl"],
]


@pytest.mark.parametrize("argv", HEADLESS, ids=lambda a: " ".join(a[:2]))
def test_headless_commands_do_not_load_textual(argv, tmp_path, aar_played):
    from engine.bundled import tutorial_scenario
    names = {"{tutorial}": str(tutorial_scenario()), "{blue}": str(aar_played / "blue.jsonl"),
             "{red}": str(aar_played / "red.jsonl"), "{out}": str(tmp_path)}
    for key, value in names.items():
        argv = [a.replace(key, value) for a in argv]
    code = ("import sys, io, contextlib; from tui.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    try:\n        main(%r)\n    except SystemExit:\n        pass\n"
            "assert 'textual' not in sys.modules, 'textual imported'" % (argv,))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=tmp_path, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr


def test_installed_package_finds_its_bundled_files(tmp_path):
    # Run from a scratch folder so `engine` is the installed package, not the checkout.
    code = ("from engine.bundled import scenarios_dir, seeds_dir\n"
            "assert (scenarios_dir() / 'tutorial.yaml').is_file(), scenarios_dir()\n"
            "assert (scenarios_dir() / 'nato-japan-prospects.yaml').is_file(), scenarios_dir()\n"
            "assert (seeds_dir() / 'events.yaml').is_file(), seeds_dir()\n"
            "from tui.cli import main\n"
            "raise SystemExit(main(['lint', '--no-explore', str(scenarios_dir() / 'tutorial.yaml')]))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
