"""The base of every modal dialog: a centred box, a title, escape to cancel."""

from __future__ import annotations

from collections.abc import Iterable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Static

from engine.i18n import N_, _

from ..widgets import KeyFooter


class Dialog(ModalScreen):
    """A modal box. Subclasses compose into a `Vertical(classes="dialog")`."""

    DEFAULT_CSS = """
    Dialog {
        align: center middle;
        background: $background 60%;
    }
    Dialog > .dialog {
        width: 90%;
        max-width: 100;
        height: auto;
        max-height: 90%;
        overflow-y: auto;      /* at 80×24 a long dialog scrolls to the focused field */
        scrollbar-size-vertical: 1;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    Dialog .dialog-title {
        text-style: bold;
        color: $text-primary;
        margin-bottom: 1;
    }
    Dialog .dialog-text {
        margin-bottom: 1;
    }
    Dialog .dialog-label {
        color: $text-muted;
    }
    Dialog .dialog-error {
        color: $text-error;
        text-style: bold;
        height: auto;
    }
    Dialog .dialog-buttons {
        height: auto;
        margin-top: 1;
        align-horizontal: right;
    }
    Dialog .dialog-buttons Button {
        margin-left: 2;
    }
    Dialog OptionList {
        height: auto;
        max-height: 30vh;
        margin-bottom: 1;
    }
    Dialog Input {
        margin-bottom: 1;
    }
    """

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="dialog.cancel")]

    def on_mount(self) -> None:
        # The notifications of the last action sit over the dialog's buttons at 80×24;
        # what they said is in the log pane, and the dialog now needs the attention.
        self.app.clear_notifications()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_submit(self) -> None:
        """What the #ok button (and enter, where a subclass wires it) does."""
        self.dismiss(None)

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()


class ReadOutDialog(Dialog):
    """A dialog to read out and close: a title, a body, one Close button, enter closes.
    Subclasses give `box_id`, `card_title()` and `card_body()`, and an `enter` binding with
    their own id (so a keymap can remap each): `Binding("enter", "cancel", "Close", id=…,
    priority=True)` — a priority binding, as the focused button's own enter would hide it
    from the footer."""

    box_id = ""
    close_variant = "primary"      # the Close button's look ("error" for bad news)

    def card_title(self) -> Content:
        raise NotImplementedError

    def card_body(self) -> Iterable[Widget]:
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id=self.box_id or None):
            yield Static(self.card_title(), classes="dialog-title")
            yield from self.card_body()
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Close (enter)"), id="close", variant=self.close_variant,
                             compact=True)
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#close").focus()

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.dismiss(None)
