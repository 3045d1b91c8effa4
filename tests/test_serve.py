"""`spillover serve`'s pieces that need no browser: the commands it runs, the console lock,
and who can reach the console (a network --host serves the player view only)."""

import sys

import pytest

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


# ------------------------------------------------------------------ who can reach the console

def test_local_hosts_and_the_safe_side():
    from tui.serve import is_local_host
    assert all(is_local_host(h) for h in ("localhost", "127.0.0.1", "127.0.0.2", "::1", "[::1]"))
    assert not any(is_local_host(h) for h in ("0.0.0.0", "::", "192.0.2.7", "10.0.0.1"))
    assert not is_local_host("no-such-host.invalid")      # unresolvable: taken as exposed


def test_on_a_network_host_the_console_stays_on_this_machine_unless_asked():
    from tui.serve import LOOPBACK, plan
    local = plan("localhost", 8000, None, False)
    assert (local.console_host, local.watch_host, local.watch_port) == (
        "localhost", "localhost", 8001)
    exposed = plan("0.0.0.0", 8000, 9000, False)
    assert (exposed.console_host, exposed.watch_host, exposed.watch_port) == (
        LOOPBACK, "0.0.0.0", 9000)
    assert not exposed.console_shared and exposed.console_url() == "http://127.0.0.1:8000"
    assert "0.0.0.0" not in exposed.watch_url()          # a link a remote browser can follow
    shared = plan("0.0.0.0", 8000, None, True)
    assert shared.console_host == "0.0.0.0" and shared.console_shared


def _outward_address():
    from tui.serve import is_local_host, public_host
    address = public_host("0.0.0.0")
    return None if is_local_host(address) else address


def _reachable(host: str, port: int) -> bool:
    import socket
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _serve(tmp_path, *extra):
    import os
    import signal
    import socket
    import subprocess
    import time
    ports = []
    for _ in range(2):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            ports.append(s.getsockname()[1])
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui.cli", "serve", str(tmp_path / "s.jsonl"), "--host",
         "0.0.0.0", "--port", str(ports[0]), "--watch-port", str(ports[1]), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    deadline = time.monotonic() + 30
    while not (_reachable("127.0.0.1", ports[0]) and _reachable("127.0.0.1", ports[1])):
        assert proc.poll() is None and time.monotonic() < deadline, "serve did not start"
        time.sleep(0.2)

    def stop() -> str:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            out, _ = proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate(timeout=5)
        return out
    return ports, stop


@pytest.mark.slow
def test_serving_on_every_network_exposes_the_player_view_only(tmp_path):
    import urllib.request
    address = _outward_address()
    if address is None:
        pytest.skip("this machine has no address other than loopback")
    (console, watch), stop = _serve(tmp_path)
    try:
        assert _reachable(address, watch)                   # the room can see
        assert not _reachable(address, console)             # … but not play
        assert _reachable("127.0.0.1", console)             # the facilitator can
        page = urllib.request.urlopen(f"http://{address}:{watch}/", timeout=10).read().decode()
        assert f"ws://{address}:{watch}/ws" in page and "0.0.0.0" not in page
    finally:
        out = stop()
    assert f"Player view (read only): http://{address}:{watch}" in out
    assert f"http://127.0.0.1:{console} (this machine only; --console-on-network" in out


@pytest.mark.slow
def test_the_console_on_the_network_only_when_asked(tmp_path):
    address = _outward_address()
    if address is None:
        pytest.skip("this machine has no address other than loopback")
    (console, _watch), stop = _serve(tmp_path, "--console-on-network")
    try:
        assert _reachable(address, console)
    finally:
        out = stop()
    assert "open to anyone who can reach this address" in out
