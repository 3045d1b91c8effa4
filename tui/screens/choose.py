"""Record the group's choice: pick an option of the highlighted branch, give the rationale.

A panel docked at the bottom of the exercise screen rather than a modal screen: recording a
choice is the facilitator's most frequent action, and staying on the same screen keeps it to
one quick repaint.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from engine.i18n import N_, _
from engine.play.session import BranchView

from ..widgets import MUTED, TextInput


class ChoosePanel(Vertical):
    """Hidden until `open()`. On enter it hides itself and calls `on_chosen(branch id,
    option id, rationale)` at once (no message round trip: the choice is logged and shown in
    the same frame)."""

    DEFAULT_CSS = """
    ChoosePanel {
        layer: overlay;
        dock: bottom;
        margin-bottom: 1;
        height: auto;
        max-height: 60%;
        display: none;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    ChoosePanel #choose-title {
        text-style: bold;
        color: $text-primary;
    }
    ChoosePanel #choose-options {
        height: auto;
        max-height: 10;
        border: none;
        padding: 0;
    }
    ChoosePanel #choose-hint {
        color: $text-muted;
    }
    """

    PICK_HINT = N_("↑↓ or 1–9 picks an option · enter goes on to the rationale · escape cancels")
    WRITE_HINT = N_("enter records the choice · ↑ back to the options · escape cancels")

    def __init__(self, on_chosen: Callable[[str, str, str], None], *,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.on_chosen = on_chosen
        self.view: BranchView | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="choose-title")
        yield OptionList(id="choose-options")
        yield Static(_("Rationale (optional): why the group chose this"), classes="choose-label")
        yield TextInput(placeholder=_("the group's reasoning"), id="rationale", compact=True)
        yield Static(_(self.PICK_HINT), id="choose-hint")

    @property
    def is_open(self) -> bool:
        return self.is_mounted and self.display

    def open(self, view: BranchView, preselect: int | None = None) -> None:
        self.view = view
        b = view.branch
        self.query_one("#choose-title", Static).update(
            Content.assemble(_("Choose:") + " ", (b.title, "bold")))
        options = []
        for n, opt in enumerate(b.options, start=1):
            extra = ""
            if opt.contested and b.adjudication:
                adj = b.adjudication
                if adj.graded:
                    extra = "  " + _("(contested: roll {dice})").format(dice=adj.dice)
                elif adj.opposed:
                    extra = "  " + _("(contested: roll {dice} vs {against})").format(
                        dice=adj.dice, against=adj.against_dice)
                else:
                    extra = "  " + _("(contested: roll {dice} ≥ {target})").format(
                        dice=adj.dice, target=adj.target)
            ov = view.option(opt.id)
            blocked = ov is not None and ov.reason is not None
            if blocked:
                extra += "  " + _("(not now: {reason})").format(reason=ov.reason)
            options.append(Option(Content.assemble(f"{n}. ", (opt.label, "bold"), (extra, MUTED)),
                                  id=opt.id, disabled=blocked))
        ol = self.query_one("#choose-options", OptionList)
        ol.set_options(options)
        rationale = self.query_one("#rationale", Input)
        rationale.value = ""
        self.display = True           # an inline style: no restyling of the whole panel
        # The last action's notifications (a turn change, a roll) would cover the hint line;
        # the log pane keeps what they said.
        self.app.clear_notifications()
        if preselect is not None and 0 <= preselect < len(options) and \
                not options[preselect].disabled:
            ol.highlighted = preselect
            rationale.focus()
        else:
            ol.highlighted = next((k for k, o in enumerate(options) if not o.disabled), 0)
            ol.focus()

    def warn(self, text: str) -> None:
        """Say something in the hint line (in the warning colour) until the focus moves."""
        self.query_one("#choose-hint", Static).update(Content.styled(text, "bold $text-warning"))

    def close(self) -> None:
        self.display = False
        self.view = None

    @on(OptionList.OptionSelected, "#choose-options")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#rationale").focus()

    def on_key(self, event) -> None:
        """Digits pick an option from the list; ↑ from the rationale goes back to the list."""
        ol = self.query_one("#choose-options", OptionList)
        if ol.has_focus and event.character and event.character in "123456789":
            event.stop()
            n = int(event.character) - 1
            if n < ol.option_count and not ol.get_option_at_index(n).disabled:
                ol.highlighted = n
                self.query_one("#rationale").focus()
        elif event.key == "up" and self.query_one("#rationale").has_focus:
            event.stop()
            ol.focus()

    def on_descendant_focus(self, event) -> None:
        writing = self.query_one("#rationale").has_focus
        hint = self.WRITE_HINT if writing else self.PICK_HINT
        self.query_one("#choose-hint", Static).update(_(hint))

    @on(OptionList.OptionHighlighted, "#choose-options")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()

    @on(Input.Submitted, "#rationale")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()

    def submit(self) -> None:
        option = self.query_one("#choose-options", OptionList).highlighted_option
        if self.view is None or option is None or option.disabled:
            return
        branch_id, rationale = self.view.id, self.query_one("#rationale", Input).value
        self.close()
        self.on_chosen(branch_id, option.id, rationale)
