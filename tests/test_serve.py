"""`spillover serve`'s pieces that need no browser: the commands it runs, the console lock."""

import sys

from tui.serve import console_command, console_lock, watch_command


def test_commands_run_this_python_and_quote_paths(tmp_path):
    log = tmp_path / "a session" / "log.jsonl"
    cmd = console_command(log, None)
    assert cmd.startswith(sys.executable) and "-m tui.serve console" in cmd
    assert f"'{log}'" in cmd                       # a path with a space stays one argument
    assert watch_command(log, True).endswith("--odds")


def test_only_one_console_per_log(tmp_path):
    log = tmp_path / "s.jsonl"
    first = console_lock(log)
    assert first is not None
    assert console_lock(log) is None               # a second tab is refused
    first.close()                                  # the first console quits
    again = console_lock(log)
    assert again is not None
    again.close()


def test_a_port_in_use_is_a_clear_error_not_a_traceback(tmp_path, capsys):
    import socket

    from tui.cli import main
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code = main(["serve", str(tmp_path / "s.jsonl"), "--host", "127.0.0.1",
                     "--port", str(port), "--watch-port", str(port)])
    assert code == 2
    err = capsys.readouterr().err
    assert f"cannot serve the console on 127.0.0.1:{port}" in err and "--port" in err
