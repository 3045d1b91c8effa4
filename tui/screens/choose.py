"""Record the group's choice: pick an option of the highlighted branch, give the rationale.

A panel docked at the bottom, on a transparent modal screen of its own over the exercise
screen (installed once, so it is mounted once). Recording a choice is the facilitator's most
frequent action: closing the panel pops that screen, and the exercise screen comes back
without a layout or a restyle (its widgets keep their lines, and the branch list its focus),
so the frame that shows the choice redraws only what the choice changed. Hiding a panel on
the exercise screen itself laid the whole screen out, which redraws every pane's scrollbar.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from engine.i18n import N_, _
from engine.play.session import BranchView

from ..widgets import MUTED, TextInput


class ChoosePanel(Vertical):
    """Shown by `open()` on its screen (`ChooseScreen`). On enter it closes and calls
    `on_chosen(branch id, option id, rationale)` at once (no message round trip: the choice is
    logged and shown in the same frame)."""

    DEFAULT_CSS = """
    ChoosePanel {
        dock: bottom;
        margin-bottom: 1;
        height: auto;
        max-height: 60%;
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
        self._pending: tuple[BranchView, int | None] | None = None   # opened before mounted

    def compose(self) -> ComposeResult:
        yield Static(id="choose-title")
        yield OptionList(id="choose-options")
        yield Static(_("Rationale (optional): why the group chose this"), classes="choose-label")
        yield TextInput(placeholder=_("the group's reasoning"), id="rationale", compact=True)
        yield Static(_(self.PICK_HINT), id="choose-hint")

    @property
    def is_open(self) -> bool:
        return self.is_mounted and self.app.screen is self.screen

    @staticmethod
    def preselects(view: BranchView, preselect: int | None) -> bool:
        """Whether `preselect` picks an option that can be chosen now (the panel then opens
        on the rationale)."""
        options = view.branch.options
        if preselect is None or not 0 <= preselect < len(options):
            return False
        option = view.option(options[preselect].id)
        return option is None or option.reason is None

    def on_mount(self) -> None:
        if self._pending is not None:
            view, preselect = self._pending
            self._pending = None
            self._fill(view, preselect)

    def open(self, view: BranchView, preselect: int | None = None) -> None:
        """Fill the panel for `view` (with `preselect`, that option picked). Before the panel
        is mounted, it is filled as it mounts."""
        if self.is_mounted:
            self._fill(view, preselect)
        else:
            self._pending = (view, preselect)

    def _fill(self, view: BranchView, preselect: int | None) -> None:
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
            reason = ov.reason if ov is not None else None
            blocked = reason is not None
            if blocked:
                extra += "  " + _("(not now: {reason})").format(reason=reason)
            options.append(Option(Content.assemble(f"{n}. ", (opt.label, "bold"), (extra, MUTED)),
                                  id=opt.id, disabled=blocked))
        ol = self.query_one("#choose-options", OptionList)
        ol.set_options(options)
        rationale = self.query_one("#rationale", Input)
        rationale.value = ""
        # The last action's notifications (a turn change, a roll) would cover the hint line;
        # the log pane keeps what they said.
        self.app.clear_notifications()
        if preselect is not None and self.preselects(view, preselect):
            ol.highlighted = preselect
            rationale.focus()
        else:
            ol.highlighted = next((k for k, o in enumerate(options) if not o.disabled), 0)
            ol.focus()

    def warn(self, text: str) -> None:
        """Say something in the hint line (in the warning colour) until the focus moves."""
        self.query_one("#choose-hint", Static).update(Content.styled(text, "bold $text-warning"))

    def close(self) -> None:
        self.view = None
        if self.is_open:
            self.app.pop_screen()

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
        if self.view is None or option is None or option.disabled or option.id is None:
            return
        branch_id, rationale = self.view.id, self.query_one("#rationale", Input).value
        self.close()
        self.on_chosen(branch_id, option.id, rationale)


class ChooseScreen(ModalScreen[None]):
    """The choose panel's screen: transparent, so the exercise screen shows around the panel
    (and its footer, under it). A key the exercise screen binds to an action is refused with
    the reason in the panel's hint line, as the exercise screen did while the panel was open."""

    DEFAULT_CSS = """
    ChooseScreen {
        background: transparent;
    }
    """

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), show=False, id="choose.cancel")]

    def __init__(self, panel: ChoosePanel, refused_keys: frozenset[str], refusal: str) -> None:
        super().__init__()
        self.panel = panel
        self.refused_keys = refused_keys
        self.refusal = refusal

    @property
    def choose_panel(self) -> ChoosePanel:
        """The panel (as the exercise screen calls it)."""
        return self.panel

    def open(self, view: BranchView, preselect: int | None = None) -> None:
        """Fill the panel, before the screen is pushed. The first time, the screen mounts
        as it is pushed: the panel is filled as it mounts, and the screen focuses the field
        the panel opens on when it has composed, so that keys typed in the same instant as
        the one that opened it (`1` then enter) go where they would any later time."""
        self.AUTO_FOCUS = "#rationale" if self.panel.preselects(view, preselect) \
            else "#choose-options"
        self.panel.open(view, preselect)

    def compose(self) -> ComposeResult:
        yield self.panel

    def action_cancel(self) -> None:
        self.panel.close()

    def on_key(self, event: events.Key) -> None:
        if event.key in self.refused_keys and not self.query_one("#rationale").has_focus:
            event.stop()
            event.prevent_default()
            self.panel.warn(self.refusal)
