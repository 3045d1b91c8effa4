"""Override a state variable by hand: pick it, type the value, give the rationale.

The dialog stays open and shows the engine's message when the value is refused.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from engine.i18n import N_, _
from engine.play.views import VariableView

from ..widgets import MUTED, KeyFooter, TextInput
from .dialog import Dialog


class OverrideDialog(Dialog):
    """`apply(variable, text, rationale)` returns None when done, or the refusal message.

    Returns True when a value was applied, None when cancelled."""

    # one-line fields and a shorter list: at 80×24 the buttons stay on screen
    DEFAULT_CSS = """
    OverrideDialog #variables { max-height: 40vh; }
    OverrideDialog Input { margin-bottom: 0; }
    OverrideDialog .dialog-label { margin-top: 1; }
    """

    BINDINGS = [Binding("ctrl+s", "submit", N_("Apply"), id="override.apply")]

    def __init__(self, views: list[VariableView],
                 apply: Callable[[str, str, str], str | None], *, rationale: str = "") -> None:
        super().__init__()
        self.rationale = rationale
        self.views = {v.id: v for v in views}
        self.apply = apply

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(_("Override a state variable"), classes="dialog-title")
            yield OptionList(*(Option(Content.assemble((v.label, "bold"), " = ", v.value,
                                                       (f"   {v.type}", MUTED)), id=v.id)
                               for v in self.views.values()), id="variables")
            yield Static(_("New value"), classes="dialog-label")
            yield TextInput(id="value", placeholder=_("as shown, e.g. true, 2, agreed, {a, b}"),
                            compact=True)
            yield Static("", classes="dialog-error", id="override-error")   # next to the value
            yield Static(_("Rationale (optional)"), classes="dialog-label")
            yield TextInput(self.rationale, id="rationale",
                            placeholder=_("why the facilitator sets it"), compact=True)
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Apply"), id="ok", variant="primary", compact=True)
                yield Button(_("Cancel"), id="cancel", compact=True)
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        ol = self.query_one("#variables", OptionList)
        if ol.option_count:
            ol.highlighted = 0
        ol.focus()

    def selected(self) -> VariableView | None:
        option = self.query_one("#variables", OptionList).highlighted_option
        return self.views.get(option.id) if option is not None else None

    @on(OptionList.OptionHighlighted, "#variables")
    def _highlighted(self) -> None:
        view = self.selected()
        if view is not None:
            self.query_one("#value", Input).value = view.value
            self.query_one("#override-error", Static).update("")

    @on(OptionList.OptionSelected, "#variables")
    def _picked(self) -> None:
        self.query_one("#value").focus()

    @on(Input.Submitted, "#value")
    def _value_submitted(self) -> None:
        self.query_one("#rationale").focus()

    @on(Input.Submitted, "#rationale")
    def _submitted(self) -> None:
        self.action_submit()

    def action_submit(self) -> None:
        view = self.selected()
        if view is None:
            return
        error = self.apply(view.id, self.query_one("#value", Input).value,
                           self.query_one("#rationale", Input).value)
        if error:
            self.query_one("#override-error", Static).update(Content(error))
            self.query_one("#value").focus()
            return
        self.dismiss(True)
