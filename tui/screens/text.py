"""A dialog asking for a line (or a few lines) of text: a note, a rationale, hotwash notes."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Input, Static

from engine.i18n import N_, _

from ..widgets import KeyFooter, TextInput
from .dialog import Dialog


def text_editor(text: str, **kwargs):
    """A TextArea (imported only when a dialog needs one)."""
    from textual.widgets import TextArea
    return TextArea(text, **kwargs)


class TextDialog(Dialog):
    """Returns the text (possibly empty), or None when cancelled.

    With `apply`, the dialog hands the text to it instead: `apply(text)` returns None when
    done (the dialog then returns True), or the engine's refusal, shown in the dialog, which
    stays open."""

    DEFAULT_CSS = """
    TextDialog TextArea {
        height: 8;
    }
    """
    BINDINGS = [
        Binding("ctrl+s", "submit", N_("Confirm"), id="text.confirm"),
    ]

    def __init__(self, title: str, prompt: str, *, confirm: str = N_("OK"), placeholder: str = "",
                 multiline: bool = False, danger: bool = False, initial: str = "",
                 apply: Callable[[str], str | None] | None = None) -> None:
        super().__init__()
        self.apply = apply
        self.dialog_title = title
        self.prompt = prompt
        self.confirm = confirm
        self.placeholder = placeholder
        self.multiline = multiline
        self.danger = danger
        self.initial = initial

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.dialog_title, classes="dialog-title", markup=False)
            yield Static(self.prompt, classes="dialog-text", markup=False)
            if self.multiline:
                yield text_editor(self.initial, id="text", soft_wrap=True)
            else:
                yield TextInput(self.initial, placeholder=self.placeholder, id="text")
            if self.apply is not None:
                yield Static("", classes="dialog-error", id="text-error")
            hint = (_("ctrl+s confirms · escape cancels") if self.multiline
                    else _("enter confirms · escape cancels"))
            yield Static(hint, classes="dialog-label")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_(self.confirm), id="ok", compact=True,
                             variant="error" if self.danger else "primary")
                yield Button(_("Cancel"), id="cancel", compact=True)
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        widget = self.query_one("#text")
        widget.cursor_blink = getattr(self.app, "cursor_blink", True)
        widget.focus()

    def value(self) -> str:
        widget = self.query_one("#text")
        return widget.text if self.multiline else widget.value

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_submit()

    def action_submit(self) -> None:
        if self.apply is None:
            self.dismiss(self.value())
            return
        error = self.apply(self.value())
        if error:
            self.query_one("#text-error", Static).update(Content(error))
            self.query_one("#text").focus()
            return
        self.dismiss(True)
