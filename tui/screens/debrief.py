"""The white cell's debrief dialogs: an observation, a hotwash entry, an amendment.

Each is a list to pick from (objectives; or nothing) and a few typed fields. The dialog hands
what was typed to `apply`, which calls the engine and returns None when the action is logged
(the dialog closes) or the engine's reason, shown in the dialog, which stays open.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from engine.i18n import N_, _

from ..widgets import MUTED, KeyFooter, TextInput
from .dialog import Dialog

Field = tuple[str, str, str]          # (id, label, placeholder)


class FormDialog(Dialog):
    """`choices` (id, label, detail) fill a list; `fields` are one-line inputs. `apply(choice,
    {field id: text})` returns None when done or the refusal. Returns True when applied.

    Laid out to fit 100×30 whole (one-row inputs, the title and prompt on one line, the
    highlighted choice's detail on one line under the list) and, at 80×24, to keep every
    field and the buttons on screen: the list alone shrinks to the rows left and scrolls."""

    DEFAULT_CSS = """
    FormDialog > .dialog {
        max-height: 100%;
    }
    FormDialog .dialog-title {
        margin-bottom: 0;
    }
    FormDialog #choices {
        margin-bottom: 0;
        max-height: 100%;
    }
    FormDialog #choice-detail {
        color: $text-muted;
        height: 1;
        margin-bottom: 1;
    }
    FormDialog Input {
        margin-bottom: 0;
        background: $boost;
    }
    FormDialog Input:focus {
        background: $primary 25%;
    }
    FormDialog .dialog-label {
        height: 1;
    }
    FormDialog #form-error {
        display: none;
    }
    FormDialog .dialog-buttons {
        margin-top: 0;
    }
    """

    # rows besides the list: title, detail + its margin, 2 per field, hint, buttons, border
    FIXED_ROWS = 1 + 2 + 1 + 1 + 2

    BINDINGS = [Binding("ctrl+s", "submit", N_("Confirm"), id="form.confirm")]

    def __init__(self, title: str, prompt: str, choices: list[tuple[str, str, str]],
                 fields: list[Field], apply: Callable[[str, dict], str | None], *,
                 confirm: str = N_("Record")) -> None:
        super().__init__()
        self.dialog_title = title
        self.prompt = prompt
        self.choices = choices
        self.fields = fields
        self.apply = apply
        self.confirm = confirm

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content.assemble((self.dialog_title, "bold"), "  ",
                                          (self.prompt, MUTED)), classes="dialog-title")
            if self.choices:
                yield OptionList(*(Option(Content(label), id=cid)
                                   for cid, label, _detail in self.choices), id="choices")
                yield Static("", id="choice-detail", markup=False)
            for fid, label, placeholder in self.fields:
                yield Static(label, classes="dialog-label", markup=False)
                yield TextInput(id=fid, placeholder=placeholder, compact=True)
            yield Static("", classes="dialog-error", id="form-error")
            yield Static(_("enter moves on · ctrl+s records · escape cancels"),
                         classes="dialog-label")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_(self.confirm), id="ok", variant="primary", compact=True)
                yield Button(_("Cancel"), id="cancel", compact=True)
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        super().on_mount()
        if self.choices:
            self.fit_choices()
            ol = self.query_one("#choices", OptionList)
            ol.highlighted = 0
            ol.focus()
        else:
            self.query_one(f"#{self.fields[0][0]}").focus()

    def on_resize(self) -> None:
        self.fit_choices()

    def fit_choices(self) -> None:
        """The list gets the rows the rest of the dialog leaves (at least 3): the fields and
        the buttons never go below the fold."""
        if not self.choices:
            return
        shown = self.query_one("#form-error", Static)
        error = 0
        if shown.display:      # the reason's lines, wrapped as the dialog will wrap them
            width = max(self.query_one(".dialog").content_size.width - 1, 10)
            error = len(textwrap.wrap(str(shown.content), width)) or 1
        used = self.FIXED_ROWS + 2 * len(self.fields) + error + 1    # + 1: the footer
        self.query_one("#choices", OptionList).styles.max_height = max(3, self.size.height - used)

    @on(OptionList.OptionHighlighted, "#choices")
    def _detail(self, event: OptionList.OptionHighlighted) -> None:
        detail = next((d for cid, _label, d in self.choices if cid == event.option.id), "")
        self.query_one("#choice-detail", Static).update(detail)

    def choice(self) -> str:
        if not self.choices:
            return ""
        option = self.query_one("#choices", OptionList).highlighted_option
        return option.id if option is not None and option.id is not None else ""

    def values(self) -> dict[str, str]:
        return {fid: self.query_one(f"#{fid}", Input).value for fid, _, _ in self.fields}

    @on(OptionList.OptionSelected, "#choices")
    def _picked(self) -> None:
        self.query_one(f"#{self.fields[0][0]}").focus()

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        ids = [fid for fid, _, _ in self.fields]
        i = ids.index(event.input.id) if event.input.id in ids else len(ids) - 1
        if i + 1 < len(ids):
            self.query_one(f"#{ids[i + 1]}").focus()
        else:
            self.action_submit()

    def action_submit(self) -> None:
        error = self.apply(self.choice(), self.values())
        if error:
            shown = self.query_one("#form-error", Static)
            shown.update(Content(error))
            shown.display = True
            self.fit_choices()
            return
        self.dismiss(True)
