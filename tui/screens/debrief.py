"""The white cell's debrief dialogs: an observation, a hotwash entry, an amendment.

Each is a list to pick from (objectives; or nothing) and a few typed fields. The dialog hands
what was typed to `apply`, which calls the engine and returns None when the action is logged
(the dialog closes) or the engine's reason, shown in the dialog, which stays open.
"""

from __future__ import annotations

from typing import Callable

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
    {field id: text})` returns None when done or the refusal. Returns True when applied."""

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
            yield Static(self.dialog_title, classes="dialog-title", markup=False)
            yield Static(self.prompt, classes="dialog-text", markup=False)
            if self.choices:
                yield OptionList(*(Option(Content.assemble((label, "bold"), (f"  {detail}", MUTED))
                                          if detail else Content(label), id=cid)
                                   for cid, label, detail in self.choices), id="choices")
            for fid, label, placeholder in self.fields:
                yield Static(label, classes="dialog-label", markup=False)
                yield TextInput(id=fid, placeholder=placeholder)
            yield Static("", classes="dialog-error", id="form-error")
            yield Static(_("enter moves on · ctrl+s records · escape cancels"),
                         classes="dialog-label")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_(self.confirm), id="ok", variant="primary", compact=True)
                yield Button(_("Cancel"), id="cancel", compact=True)
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        if self.choices:
            ol = self.query_one("#choices", OptionList)
            ol.highlighted = 0
            ol.focus()
        else:
            self.query_one(f"#{self.fields[0][0]}").focus()

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
            self.query_one("#form-error", Static).update(Content(error))
            return
        self.dismiss(True)
