"""Hostile files: every one gets a clear error, never a traceback, in bounded time and memory.

The corpus is generated here (nothing big is committed). All files are checked in one child
process with an address-space limit, so a file that blew up memory could not take the machine
with it; the child runs each through the command line (`lint`, `replay --verify`) and reports
its exit code, output, time and memory growth.
"""

import json
import os
import subprocess
import sys
import textwrap

import pytest
from test_loader import MINIMAL

from engine.play.session import Session

SECONDS_PER_FILE = 5.0
MB_PER_FILE = 200

DRIVER = textwrap.dedent("""
    import contextlib, io, json, resource, sys, time, traceback
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
    from tui.cli import main
    out = []
    for argv in json.loads(sys.stdin.read()):
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t = time.perf_counter()
        buf = io.StringIO()
        try:
            with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
                code = main(argv)
        except BaseException:
            code, text = "traceback", traceback.format_exc()
        else:
            text = buf.getvalue()
        grew = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
        out.append({"argv": argv, "code": code, "text": text[-3000:],
                    "seconds": time.perf_counter() - t, "kb": grew})
    print(json.dumps(out))
""")


def with_branch_line(text: str, line: str) -> str:
    return MINIMAL.replace("    cites: [precedent]", f"    {line}\n    cites: [precedent]")


def hostile_scenarios(folder):
    """(name, text, what the error must say) — each must be refused with that reason."""
    deep = "(" * 10_000 + "level" + ")" * 10_000 + " < 3"
    yield "bigint-expr", MINIMAL.replace("level < 3", "level < " + "9" * 5000), "SP401"
    yield "bigint-turn", with_branch_line(MINIMAL, "turns: " + "9" * 5000), "15 digits"
    yield "bigint-range", MINIMAL.replace("range: [0, 3]", "range: [0, " + "9" * 400 + "]"), \
        "15 digits"
    yield "bigint-turn-range", with_branch_line(MINIMAL, f"turns: '1..{'9' * 5000}'"), "SP308"
    yield "billion-turns", with_branch_line(MINIMAL, "turns: 0..1000000000"), "SP308"
    yield "moves", MINIMAL.replace("title: Mini", "title: Mini\nmoves_per_turn: 1000000000000"), \
        "moves_per_turn"
    yield "deep-parens", MINIMAL.replace("level < 3", deep), "scenario.yaml:20:"
    yield "deep-not", MINIMAL.replace("level < 3", "not " * 10_000 + "level < 3"), "SP401"
    yield "long-chain", MINIMAL.replace("level < 3", " + ".join(["level"] * 5000) + " < 3"), \
        "SP401"
    yield "deep-effect", MINIMAL.replace("level += 1", "level += " + "-" * 20_000 + "1"), "SP401"
    yield "null", "~\n", "SP103"
    yield "empty", "", "SP103"
    yield "passwd", MINIMAL.replace("spillover: 1", "spillover: 1\ncatalogue: "
                                    "[../../../../../../../../etc/passwd]"), "SP305"
    yield "big-dice", MINIMAL.replace("    options:", "    adjudication: {dice: 99d999, "
                                      "target: 7}\n    options:"), "SP503"
    yield "alias-bomb", "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi")), "SP107"
    yield "deep-yaml", "a: " + "[" * 100_000 + "]" * 100_000 + "\n", "SP10"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs POSIX FIFOs, /dev/zero, rlimits")
def test_hostile_scenarios_and_logs(tmp_path, tutorial):
    argvs, expect = [], []
    for name, text, reason in hostile_scenarios(tmp_path):
        folder = tmp_path / name / "a" / "b"
        folder.mkdir(parents=True)
        (folder / "scenario.yaml").write_text(text, encoding="utf-8")
        argvs.append(["lint", "--no-explore", str(folder / "scenario.yaml")])
        expect.append(reason)

    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    argvs.append(["lint", str(fifo)])
    expect.append("not a regular file")
    argvs.append(["lint", "/dev/zero"])
    expect.append("not a regular file")

    def log_from(name, mutate):
        path = tmp_path / f"{name}.jsonl"
        s = Session.start(tutorial, seed=1, group="g", log_path=path)
        s.next_turn()
        s.close()
        mutate(path)
        argvs.append(["replay", str(path), "--verify"])
        return path

    def header_path(target):
        def mutate(path):
            lines = path.read_text(encoding="utf-8").splitlines()
            header = json.loads(lines[0])
            header["scenario"]["path"] = str(target)
            path.write_text(json.dumps(header) + "\n" + "\n".join(lines[1:]) + "\n")
        return mutate

    log_from("nested", lambda p: p.write_bytes(p.read_bytes() + b"[" * 100_000 +
                                               b"]" * 100_000 + b"\n"))
    expect.append("nested too deeply")
    log_from("long-line", lambda p: p.write_bytes(p.read_bytes() + b'"' + b"x" * (2 << 20) +
                                                  b'"\n' + p.read_bytes().splitlines()[-1]
                                                  + b"\n"))
    expect.append("longer than any record")
    log_from("surrogate", lambda p: p.write_bytes(p.read_bytes().replace(
        b'"group":"g"', b'"group":"\\ud800"')))
    expect.append("Log edited")
    log_from("fifo-scenario", header_path(fifo))
    expect.append("not a regular file")
    log_from("zero-scenario", header_path("/dev/zero"))
    expect.append("not a regular file")
    log_from("torn-header", lambda p: p.write_bytes(p.read_bytes()[:60]))
    expect.append("cut short")
    log_from("huge", lambda p: os.truncate(p, 65 << 20))
    expect.append("more than the")
    log_from("binary", lambda p: p.write_bytes(bytes(range(256)) * 50))
    expect.append("SP60")
    argvs.append(["replay", "/dev/zero", "--verify"])
    expect.append("not a regular file")
    argvs.append(["replay", str(fifo), "--verify"])
    expect.append("not a regular file")

    result = subprocess.run([sys.executable, "-c", DRIVER], input=json.dumps(argvs),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    for run, reason in zip(json.loads(result.stdout), expect):
        label = " ".join(run["argv"])
        assert run["code"] in (1, 2), (label, run["code"], run["text"])
        assert "Traceback" not in run["text"], (label, run["text"])
        assert reason in run["text"], (label, reason, run["text"])
        assert run["seconds"] < SECONDS_PER_FILE, (label, run["seconds"])
        assert run["kb"] < MB_PER_FILE * 1024, (label, run["kb"])
        assert "root:" not in run["text"], label          # nothing quoted from /etc/passwd


def test_a_deep_expression_is_reported_at_its_own_place(write_scenario):
    from engine.format.loader import check_scenario
    path = write_scenario(MINIMAL.replace("level < 3", "(" * 10_000 + "level" + ")" * 10_000))
    _, diags = check_scenario(path)
    [d] = [d for d in diags if d.code == "SP401"]
    assert (d.file, d.line) == (str(path), 20) and d.col > 10
