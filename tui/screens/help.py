"""Every key of the screen it was opened from, with what it does."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from engine.i18n import N_, _

from ..widgets import ACCENT, MUTED, KeyFooter, lines
from .dialog import Dialog


def key_rows(screen: Screen) -> list[tuple[str, str]]:
    """(key, description) for the screen's bindings with an id, then the app's keys."""
    rows = []
    seen = set()
    app = screen.app
    try:     # the keys in force (after any keymap), by binding id
        active = {ab.binding.id: ab.binding for ab in screen.active_bindings.values()
                  if ab.binding.id}
    except Exception:
        active = {}
    for binding in getattr(type(screen), "BINDINGS", []):
        if not isinstance(binding, Binding) or not binding.id or binding.id in seen:
            continue
        seen.add(binding.id)
        if binding.id.startswith("exercise.option_"):
            continue
        desc = getattr(screen, "ACTION_HELP", {}).get(binding.action.partition("(")[0])
        text = _(binding.description) + (": " + _(desc) if desc else "")
        bound = active.get(binding.id)
        key = app.get_key_display(bound) if bound is not None else app.get_key_display(binding)
        rows.append((key, text))
    if any(b.id and b.id.startswith("exercise.option_")
           for b in getattr(type(screen), "BINDINGS", []) if isinstance(b, Binding)):
        rows.append(("1–9", _("Choose option 1–9 of the highlighted branch")))
    rows.append((_("up/down"), _("move through the list")))
    rows.append((app.get_key_display(Binding(app.COMMAND_PALETTE_BINDING, "")),
                 _("command palette: every action that fits this screen")))
    rows.append(("ctrl+q", _("quit (the log is already on disk; resume with spillover resume "
                             "LOG)")))
    return rows


class HelpScreen(Dialog):
    BINDINGS = [
        Binding("question_mark", "cancel", N_("Close"), id="help.close", key_display="?"),
        Binding("q", "cancel", N_("Close"), show=False, id="help.close_q"),
    ]

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self.rows = key_rows(screen)
        self.screen_name = _(getattr(screen, "HELP_TITLE",
                                     type(screen).__name__.replace("Screen", "")))

    def compose(self) -> ComposeResult:
        width = max((len(k) for k, _ in self.rows), default=4) + 2
        body = [Content.assemble((k.ljust(width), f"bold {ACCENT}"), d) for k, d in self.rows]
        with Vertical(classes="dialog"):
            yield Static(_("Keys — {screen}").format(screen=self.screen_name),
                         classes="dialog-title")
            with VerticalScroll(id="help-body"):
                yield Static(lines(body))
            yield Static(Content.styled(_("escape or ? closes"), MUTED))
        yield KeyFooter(compact=True)
