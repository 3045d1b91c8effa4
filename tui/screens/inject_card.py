"""The card of a released inject: its full text, large enough to read out to the room."""

from __future__ import annotations

from collections.abc import Iterable

from textual.binding import Binding
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from engine.play.session import InjectView

from ..widgets import MUTED, lines
from .dialog import ReadOutDialog


class InjectCardDialog(ReadOutDialog):
    """One card per inject just released (by hand or on schedule); enter closes."""

    DEFAULT_CSS = """
    InjectCardDialog > .dialog { border: thick $accent; }
    InjectCardDialog .inject-card-title { text-style: bold; color: $text-accent; }
    """
    BINDINGS = [Binding("enter", "cancel", "Close", id="inject_card.close", priority=True)]
    box_id = "inject-card"

    def __init__(self, cards: list[InjectView], how: str) -> None:
        super().__init__()
        self.cards = cards
        self.how = how

    def card_title(self) -> Content:
        head = "Inject released" if len(self.cards) == 1 else f"{len(self.cards)} injects released"
        return Content.assemble(head, (f" ({self.how}) — read it out", MUTED))

    def card_body(self) -> Iterable[Widget]:
        for card in self.cards:
            yield Static(Content(card.title), classes="inject-card-title")
            yield Static(lines([Content(" ".join(p.split()))
                                for p in card.narrative.strip().split("\n\n")] or [""]),
                         classes="dialog-text")
