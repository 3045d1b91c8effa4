"""Release an inject: the list of injects with whether each can be released now and why not."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from engine.i18n import N_, _
from engine.play.session import InjectView

from ..widgets import ACCENT, MUTED, OK, KeyFooter, TextInput
from .dialog import Dialog


def inject_prompt(v: InjectView) -> Content:
    when = "  " + (_("(turn {turn})").format(turn=v.scheduled) if v.scheduled is not None
                   else _("(on demand)"))
    if v.available:
        head = Content.assemble(("● ", OK), (v.title, "bold"), (when, MUTED))
    else:
        head = Content.assemble(("✓ " if v.released else "○ ", ACCENT if v.released else MUTED),
                                (v.title, MUTED), (when, MUTED), "\n",
                                (f"    {v.reason}", f"italic {MUTED}"))
    if v.available and v.narrative:
        head = head + Content("\n") + Content.styled("    " + " ".join(v.narrative.split()), MUTED)
    return head


class InjectDialog(Dialog):
    """Returns (inject id, rationale) or None."""

    BINDINGS = [Binding("ctrl+s", "submit", N_("Release"), id="inject.release")]

    def __init__(self, views: list[InjectView]) -> None:
        super().__init__()
        self.views = views

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(_("Release an inject"), classes="dialog-title")
            if not self.views:
                yield Static(_("This scenario has no injects."), classes="dialog-text")
            ordered = sorted(self.views, key=lambda v: not v.available)
            yield OptionList(*(Option(inject_prompt(v), id=v.id, disabled=not v.available)
                               for v in ordered), id="injects")
            yield Static(_("Rationale (optional)"), classes="dialog-label")
            yield TextInput(placeholder=_("why release it now"), id="rationale")
            yield Static("", classes="dialog-error", id="inject-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Release"), id="ok", variant="primary", compact=True)
                yield Button(_("Cancel"), id="cancel", compact=True)
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        ol = self.query_one("#injects", OptionList)
        ol.focus()
        if not any(v.available for v in self.views):
            self.query_one("#inject-error", Static).update(
                _("No inject can be released now (see the reasons above)."))

    @on(OptionList.OptionSelected, "#injects")
    def _picked(self) -> None:
        self.query_one("#rationale").focus()

    @on(Input.Submitted, "#rationale")
    def _submitted(self) -> None:
        self.action_submit()

    def action_submit(self) -> None:
        option = self.query_one("#injects", OptionList).highlighted_option
        if option is None or option.disabled:
            self.query_one("#inject-error", Static).update("Pick an inject that can be released.")
            return
        self.dismiss((option.id, self.query_one("#rationale", Input).value))
