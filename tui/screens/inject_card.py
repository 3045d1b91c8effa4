"""The card of a released inject: its full text, large enough to read out to the room."""

from __future__ import annotations

from collections.abc import Iterable

from textual.binding import Binding
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from engine.i18n import N_, _, ngettext
from engine.play.session import InjectView

from ..widgets import MUTED, lines
from .dialog import ReadOutDialog


class InjectCardDialog(ReadOutDialog):
    """One card per inject just released (by hand, on schedule or by a chance draw), with
    how it was (`hows`, one per card: said once in the title when they agree); enter closes."""

    DEFAULT_CSS = """
    InjectCardDialog > .dialog { border: thick $accent; }
    InjectCardDialog .inject-card-title { text-style: bold; color: $text-accent; }
    """
    BINDINGS = [Binding("enter", "cancel", N_("Close"), id="inject_card.close", priority=True)]
    box_id = "inject-card"

    def __init__(self, cards: list[InjectView], hows: list[str]) -> None:
        super().__init__()
        self.cards = cards
        self.hows = hows
        self.how = hows[0] if len(set(hows)) == 1 else None

    def card_title(self) -> Content:
        head = ngettext("{n} inject released", "{n} injects released", len(self.cards)).format(
            n=len(self.cards)) if len(self.cards) > 1 else _("Inject released")
        said = _("({how}) — read it out").format(how=self.how) if self.how else \
            _("— read them out")
        return Content.assemble(head, (" " + said, MUTED))

    def card_body(self) -> Iterable[Widget]:
        for card, how in zip(self.cards, self.hows):
            yield Static(Content(card.title), classes="inject-card-title")
            if self.how is None:
                yield Static(Content.styled(how, MUTED), classes="dialog-text")
            yield Static(lines([Content(" ".join(p.split()))
                                for p in card.narrative.strip().split("\n\n")] or [""]),
                         classes="dialog-text")
