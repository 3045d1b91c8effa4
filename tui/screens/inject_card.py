"""The card of a released inject: its full text, large enough to read out to the room."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Static

from engine.i18n import N_, _, ngettext
from engine.play.session import InjectView

from ..widgets import MUTED, KeyFooter, lines
from .dialog import Dialog


class InjectCardDialog(Dialog):
    """One card per inject just released (by hand or on schedule); enter closes."""

    DEFAULT_CSS = """
    InjectCardDialog > .dialog { border: thick $accent; }
    InjectCardDialog .inject-card-title { text-style: bold; color: $text-accent; }
    """
    BINDINGS = [Binding("enter", "cancel", N_("Close"), id="inject_card.close", priority=True)]

    def __init__(self, cards: list[InjectView], how: str) -> None:
        super().__init__()
        self.cards = cards
        self.how = how

    def compose(self) -> ComposeResult:
        head = ngettext("{n} inject released", "{n} injects released", len(self.cards)).format(
            n=len(self.cards)) if len(self.cards) > 1 else _("Inject released")
        with Vertical(classes="dialog", id="inject-card"):
            yield Static(Content.assemble(
                head, (" " + _("({how}) — read it out").format(how=self.how), MUTED)),
                         classes="dialog-title")
            for card in self.cards:
                yield Static(Content(card.title), classes="inject-card-title")
                yield Static(lines([Content(" ".join(p.split()))
                                    for p in card.narrative.strip().split("\n\n")] or [""]),
                             classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Close (enter)"), id="close", variant="primary", compact=True)
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        self.query_one("#close").focus()

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.dismiss(None)
