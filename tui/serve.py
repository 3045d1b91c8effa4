"""`spillover serve`: the facilitator's console and the player view as web pages.

textual-serve runs a command per browser tab and relays its terminal over a websocket. The
console (resume the session, or set it up when the log is still empty) is served on `port`,
the read-only player view on `watch_port`, each by its own textual-serve `Server` (one
command each); the player view's server runs in a child process, stopped with this one.

`python -m tui.serve console|watch|player-server …` are the commands the servers run.
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
from pathlib import Path

import attrs

from engine.i18n import _


def _python_command(what: str, *args: str) -> str:
    """The command that runs `what`, in the interface language of this process (the app runs
    in a process of its own per browser tab)."""
    from engine.i18n import current_language
    return " ".join(shlex.quote(a) for a in (sys.executable, "-m", "tui.serve", what,
                                              "--lang", current_language(), *args))


def console_command(log: Path, scenario: Path | None) -> str:
    extra = ["--scenario", str(scenario)] if scenario else []
    return _python_command("console", str(log), *extra)


def watch_command(log: Path, odds: bool) -> str:
    return _python_command("watch", str(log), *(["--odds"] if odds else []))


LOOPBACK = "127.0.0.1"


def is_local_host(host: str) -> bool:
    """True when `host` is reachable from this machine only: localhost or a loopback
    address (a name counts when every address it resolves to is loopback). An unspecified
    address (0.0.0.0, ::) listens on every network, and a name that cannot be resolved is
    taken as not local: the safe side."""
    import ipaddress
    import socket
    if host.strip().lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except (OSError, UnicodeError):
        return False
    return bool(infos) and all(ipaddress.ip_address(str(i[4][0]).split("%")[0]).is_loopback
                               for i in infos)


def public_host(host: str) -> str:
    """The address to put in the pages' links for `host`: itself, or for an unspecified
    address (listen everywhere) this machine's outward address, else its name."""
    import ipaddress
    import socket
    try:
        unspecified = ipaddress.ip_address(host.strip("[]")).is_unspecified
    except ValueError:
        return host
    if not unspecified:
        return f"[{host}]" if ":" in host and not host.startswith("[") else host
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))          # no packet is sent: picks the route
            return probe.getsockname()[0]
    except OSError:
        return socket.gethostname()


@attrs.frozen
class ServePlan:
    """Where each page listens. On a host other people can reach, the console (which can
    play and write the log) stays on this machine unless the facilitator asks otherwise."""

    console_host: str
    console_port: int
    watch_host: str
    watch_port: int
    console_shared: bool          # the console listens where the player view does

    def console_url(self) -> str:
        return f"http://{public_host(self.console_host)}:{self.console_port}"

    def watch_url(self) -> str:
        return f"http://{public_host(self.watch_host)}:{self.watch_port}"


def plan(host: str, port: int, watch_port: int | None, console_on_network: bool) -> ServePlan:
    local = is_local_host(host)
    console_host = host if local or console_on_network else LOOPBACK
    return ServePlan(console_host, port, host, watch_port or port + 1,
                     console_host == host and not local)


def serve(log: Path, *, scenario: Path | None = None, host: str = "localhost",
          port: int = 8000, watch_port: int | None = None, odds: bool = False,
          console_on_network: bool = False) -> int:
    """Serve the console on `port` and the player view on `watch_port` until interrupted.
    On a host others can reach, the console listens on this machine only unless
    `console_on_network`."""
    from textual_serve.server import Server
    log = log.resolve()
    scenario = scenario.resolve() if scenario else None
    where = plan(host, port, watch_port, console_on_network)
    for said, h, p in ((_("spillover serve: cannot serve the console on {address}: {problem}. "
                          "Choose another port with --port / --watch-port."),
                        where.console_host, where.console_port),
                       (_("spillover serve: cannot serve the player view on {address}: "
                          "{problem}. Choose another port with --port / --watch-port."),
                        where.watch_host, where.watch_port)):
        problem = port_problem(h, p)
        if problem:
            print(said.format(address=f"{h}:{p}", problem=problem), file=sys.stderr)
            return 2
    from engine.i18n import current_language
    player = subprocess.Popen([sys.executable, "-m", "tui.serve", "player-server",
                               "--lang", current_language(), str(log),
                               "--host", where.watch_host, "--port", str(where.watch_port),
                               "--public-url", where.watch_url(),
                               *(["--odds"] if odds else [])])
    try:
        print(_("Player view (read only): {url}").format(url=where.watch_url()), flush=True)
        if where.console_shared:
            print(_("Facilitator's console: {url} — open to anyone who can reach this "
                    "address: they can play and write the log").format(
                      url=where.console_url()), flush=True)
        elif where.console_host != host:
            print(_("Facilitator's console: {url} (this machine only; --console-on-network "
                    "serves it on {host} too)").format(url=where.console_url(), host=host),
                  flush=True)
        else:
            print(_("Facilitator's console: {url}").format(url=where.console_url()), flush=True)
        Server(console_command(log, scenario), host=where.console_host,
               port=where.console_port, public_url=where.console_url(),
               title=_("spillover — facilitator console")).serve()
    finally:
        player.terminate()
        try:
            player.wait(timeout=10)
        except subprocess.TimeoutExpired:
            player.kill()
    return 0


def console_lock(log: Path):
    """An exclusive lock on `LOG.lock` for the console's lifetime, or None if another
    console (another browser tab) holds it: two consoles appending to one log would break its
    hash chain. Where the platform has no `fcntl`, no lock is taken (an object is returned)."""
    try:
        import fcntl
    except ImportError:          # not Unix: the guard is not available
        return object()
    log.parent.mkdir(parents=True, exist_ok=True)
    # held open (not in a with-block): the lock lasts as long as the handle
    handle = open(log.with_name(log.name + ".lock"), "a")  # noqa: SIM115
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle                # released when the process ends


def port_problem(host: str, port: int) -> str | None:
    """Why nothing can listen on host:port now (in use, no such address…), or None."""
    import socket
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as e:
        return f"unknown address ({e})"
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as e:
            return e.strerror or str(e)
    return None


def _console(log: Path, scenario: Path | None) -> int:
    """Resume the session in `log`, or open the setup screen that will start it there."""
    if console_lock(log) is None:
        return _already_open(log)
    from tui.app import run_app
    if log.exists() and log.stat().st_size > 0:
        return run_app(resume_log=log, scenario_path=scenario)
    from engine.bundled import main_scenario
    return run_app(scenario_path=scenario or main_scenario(), log_path=log)


def _already_open(log: Path) -> int:
    from textual.app import App

    from tui.screens.error import ErrorScreen

    class AlreadyOpen(App[int]):
        CSS_PATH = "app.tcss"

        def on_mount(self) -> None:
            self.push_screen(ErrorScreen(_("The console is already open"), [
                _("Another browser tab runs the facilitator's console on {log}; only one may "
                  "write to a session log.").format(log=log),
                _("Close that tab first, or open the player view (read only) here instead.")]))

    AlreadyOpen().run()
    return 1


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tui.serve")
    sub = p.add_subparsers(dest="what", required=True)
    c = sub.add_parser("console")
    c.add_argument("log")
    c.add_argument("--scenario")
    w = sub.add_parser("watch")
    w.add_argument("log")
    w.add_argument("--odds", action="store_true")
    s = sub.add_parser("player-server")
    s.add_argument("log")
    s.add_argument("--host", default="localhost")
    s.add_argument("--port", type=int, default=8001)
    s.add_argument("--odds", action="store_true")
    s.add_argument("--public-url")
    for command in (c, w, s):
        command.add_argument("--lang", default=None)
    args = p.parse_args(argv)
    from engine.i18n import resolve_language, set_language
    set_language(resolve_language(args.lang))
    if args.what == "console":
        return _console(Path(args.log), Path(args.scenario) if args.scenario else None)
    if args.what == "watch":
        from tui.watch import run_watch
        return run_watch(Path(args.log), show_odds=args.odds)
    from textual_serve.server import Server
    Server(watch_command(Path(args.log), args.odds), host=args.host, port=args.port,
           public_url=args.public_url, title=_("spillover — player view")).serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
