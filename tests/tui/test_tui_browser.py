"""`spillover serve` end to end in a real headless Chromium (Debian's `chromium`, driven by
Playwright): both pages load, both apps draw, and a key pressed in the console shows in the
player view. Loopback only; every wait is bounded."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest

from engine.bundled import tutorial_scenario
from engine.format.loader import load_scenario
from engine.play.session import Session

CHROMIUM = os.environ.get("SPILLOVER_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (os.path.exists(CHROMIUM) or shutil.which("chromium")),
                       reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)"),
]

# Record what each page's websocket receives (the app's terminal output), so the test can
# read what the page draws: the terminal itself paints on a canvas.
RECORD_WEBSOCKET = """
window.__received = "";
const Original = window.WebSocket;
const decoder = new TextDecoder();
class Recording extends Original {
  constructor(...args) {
    super(...args);
    this.addEventListener("message", (e) => {
      if (typeof e.data === "string") { window.__received += e.data; }
      else if (e.data instanceof ArrayBuffer) {
        window.__received += decoder.decode(e.data, {stream: true});
      } else if (e.data instanceof Blob) {
        e.data.arrayBuffer().then((b) => {
          window.__received += decoder.decode(b, {stream: true}); });
      }
    });
  }
}
window.WebSocket = Recording;
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"spillover serve exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing listens on port {port} after {seconds} s")


def wait_for_text(page, text: str, seconds: float = 30) -> None:
    page.wait_for_function("(t) => window.__received.includes(t)", arg=text,
                           timeout=seconds * 1000)


def test_console_key_shows_in_the_player_view(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    log = tmp_path / "seminar.jsonl"
    Session.start(load_scenario(tutorial_scenario()), seed=7, group="Blue",
                  log_path=log).close()
    console_port, watch_port = free_port(), free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tui.cli", "serve", str(log), "--host", "127.0.0.1",
         "--port", str(console_port), "--watch-port", str(watch_port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for_port(console_port, server)
        wait_for_port(watch_port, server)
        with sync_api.sync_playwright() as pw:
            # a fresh profile: Playwright takes it as the persistent context's folder
            context = pw.chromium.launch_persistent_context(
                str(tmp_path / "profile"), headless=True, args=FLAGS, timeout=60_000,
                executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
                viewport={"width": 1280, "height": 800})
            try:
                context.add_init_script(RECORD_WEBSOCKET)
                player = context.new_page()
                player.goto(f"http://127.0.0.1:{watch_port}/", timeout=30_000)
                console = context.new_page()
                console.goto(f"http://127.0.0.1:{console_port}/", timeout=30_000)
                for page in (player, console):
                    page.wait_for_selector("body.-first-byte", timeout=30_000)
                wait_for_text(player, "Baseline: June 2023")      # the player view drew
                wait_for_text(console, "Blue")                      # the console drew
                assert "Summer 2023" not in player.evaluate("window.__received")
                console.bring_to_front()
                console.click(".textual-terminal")
                console.keyboard.press("t")                         # next turn, in the console
                wait_for_text(player, "Summer 2023")                # … shows in the player view
            finally:
                context.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=5)
    assert '"action":"next_turn"' in log.read_text(encoding="utf-8")
