"""The exercise screen: this turn's branches, the highlighted branch's detail, state and log.

Every action calls the session (which logs it, on disk, first) and then refreshes the
screen from the session's views.
"""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from engine.i18n import N_, Messages, _, current_language, ngettext
from engine.play.clock import elapsed, hms, time_box_left
from engine.play.session import BranchView, LogWriteError, Outcome, Session, SessionError

from ..branchlist import Entry, LineList
from ..logview import LogView
from ..widgets import (
    ACCENT,
    BAD,
    MUTED,
    OK,
    WARN,
    KeyFooter,
    ParagraphView,
    branch_detail,
    branch_prompt,
    heading,
    middle_ellipsis,
    state_paragraphs,
    styled,
    titled,
    width_class,
)
from .choose import ChoosePanel, ChooseScreen

GENERAL_CHOICE = "(general)"      # not an id an objective can have (ids are snake_case)

GUARDED = {"choose", "choose_option", "roll", "note", "inject", "override", "undo",
           "next_turn", "end", "argue", "reveal"}


class BranchList(LineList):
    """The branch list. Moving the highlight updates the detail pane at once (in the same
    frame), not through a message handled a frame later."""

    def watch_highlighted(self, old: int | None, new: int | None) -> None:
        super().watch_highlighted(old, new)
        screen = self.screen
        if isinstance(screen, ExerciseScreen) and screen.is_mounted:
            screen.refresh_detail()


def set_static(widget: Static, content: Content) -> None:
    """Update a Static only when its text changes, and lay the screen out only when its size
    may change: a text of another length, or wrapped to another number of lines (each
    layout redraws every pane's scrollbar)."""
    old = widget.content
    if isinstance(old, Content) and old.plain == content.plain \
            and tuple(old.spans) == tuple(content.spans):
        return
    width = widget.content_region.width
    auto_width = widget.styles.width is not None and widget.styles.width.is_auto
    same_size = (isinstance(old, Content) and width > 0
                 and (old.cell_length == content.cell_length or not auto_width)
                 and len(old.wrap(width)) == len(content.wrap(width)))
    widget.update(content, layout=not same_size)


def percent(p) -> str:
    return Messages(current_language()).percent(float(p))


class ExerciseScreen(Screen):
    HELP_TITLE = N_("Exercise")
    # The panes cover the screen: its own lines are blank in its background colour, not
    # drawn through the styles cache (coming back from the choose panel, Textual repaints the
    # screen whole, and drew its 40 background lines again with every choice).
    BLANK = True
    BINDINGS = [
        Binding("c", "choose", N_("Choose"), id="exercise.choose"),
        Binding("r", "roll", N_("Roll"), id="exercise.roll"),
        Binding("n", "note", N_("Note"), id="exercise.note"),
        Binding("i", "inject", N_("Inject"), id="exercise.inject"),
        Binding("o", "override", N_("Override"), id="exercise.override"),
        # m and s, not a and v: those are amend and observe (issue 14)
        Binding("m", "argue", N_("Argue"), id="exercise.argue"),
        Binding("s", "reveal", N_("Reveal"), id="exercise.reveal"),
        Binding("u", "undo", N_("Undo"), id="exercise.undo"),
        Binding("t", "next_turn", N_("Next turn"), id="exercise.next_turn"),
        Binding("e", "end", N_("End"), id="exercise.end"),
        Binding("v", "observe", N_("Observe"), show=False, id="exercise.observe"),
        Binding("h", "hotwash", N_("Hotwash"), id="exercise.hotwash"),
        Binding("a", "amend", N_("Amend"), show=False, id="exercise.amend"),
        Binding("question_mark", "help", N_("Help"), id="exercise.help", key_display="?"),
        Binding("q", "quit_app", N_("Quit"), show=False, id="exercise.quit"),
        Binding("escape", "cancel_choice", N_("Cancel"), show=False, id="exercise.cancel"),
        *(Binding(str(n), f"choose_option({n})", f"Choose option {n}", show=False,
                  id=f"exercise.option_{n}") for n in range(1, 10)),
    ]
    ACTION_HELP = {
        "choose": N_("record the group's choice for the highlighted branch, with its "
                     "rationale"),
        "roll": N_("roll (or decide) the adjudication that is waiting"),
        "note": N_("add a note to the log"),
        "inject": N_("release an inject"),
        "override": N_("set a state variable by hand, with a rationale"),
        "argue": N_("record a cell's matrix-game argument, rate its strength and roll"),
        "reveal": N_("reveal the cells' sealed moves together and make them in order"),
        "undo": N_("undo the last action (it stays in the log as undone)"),
        "next_turn": N_("move on to the next turn"),
        "end": N_("end the session with hotwash notes, participants and point of contact"),
        "observe": N_("record an observation: a strength or an area for improvement, by "
                      "objective"),
        "hotwash": N_("after the end: the hotwash for one objective (rating, sustain, improve, "
                      "plan)"),
        "amend": N_("amend a logged rationale, note, observation or hotwash entry"),
        "help": N_("list every key"),
        "quit_app": N_("quit once the session has ended (ctrl+q quits at any time)"),
    }

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self._views: dict[str, BranchView] = {}
        self._allowed: tuple = ()
        self._list_signature: list = []
        self._detail_id: str | None = None
        # on a screen of its own, installed (kept mounted) when first opened: see action_choose
        self._choose = ChoosePanel(self.record_choice, id="choose")
        refused = frozenset(
            key for b in self.BINDINGS if isinstance(b, Binding)
            for key in b.key.split(",") if key != "escape" and not key.isdigit())
        self._choose_screen = ChooseScreen(
            self._choose, refused, _("A choice is open: enter records it, escape cancels it."))
        self._choose_name = f"choose-{id(self)}"

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        # the app's width class (-wide / -narrow) from the start: Textual sets it when the
        # screen first gets its size, after a first layout (and wrap of every pane) without it
        self.add_class(width_class(self.app.size.width))
        with Horizontal(id="ex-titlebar"):
            yield Static(id="ex-title")
            yield Static(id="ex-clock")
        yield Static(id="ex-status")
        with Container(id="ex-body"):
            yield titled(BranchList(id="branches"), _("Branches"))
            yield titled(ParagraphView(id="detail", classes="pane"), _("Detail"))
            with Container(id="side"):
                yield titled(ParagraphView(id="state-pane", classes="pane"), _("State"))
                yield titled(LogView(id="log-pane", classes="pane"), _("Log"))
        yield KeyFooter(compact=True, narrow_hidden={"override", "argue", "reveal"})

    def on_resize(self, event) -> None:
        # below 100 columns the footer leaves out the palette hint and o Override (ctrl+p and
        # ? still list it), so that every other key fits at 80 columns, r Roll and ^q Quit
        # included (the Footer does not recompose on these by itself: it would show the old
        # choice until the next change of bindings)
        if self.session.state.ended:    # the log's path is shortened to the width
            self.refresh_header()
        footer = self.query_one(KeyFooter)
        wide = event.size.width >= 100
        if footer.show_command_palette != wide or footer.narrow == wide:
            footer.show_command_palette = wide
            footer.narrow = not wide
            footer.update_keys()

    def on_mount(self) -> None:
        self.refresh_all(first=True)
        self.set_interval(1.0, self.refresh_clock)
        self.query_one("#branches", BranchList).focus()

    def on_unmount(self) -> None:
        if self.app.is_screen_installed(self._choose_name) \
                and self._choose_screen not in self.app.screen_stack:
            self.app.uninstall_screen(self._choose_name)

    # ------------------------------------------------------------------ refresh
    @property
    def branch_list(self) -> BranchList:
        return self.query_one("#branches", BranchList)

    def highlighted_view(self) -> BranchView | None:
        option = self.branch_list.highlighted_option
        if option is None or option.id is None:
            return None
        return self._views.get(option.id)

    def refresh_all(self, *, first: bool = False) -> None:
        s = self.session
        keep = None if first else self.branch_list.highlighted_option
        keep_id = keep.id if keep is not None else None
        views = s.branch_views()
        self._views = {v.id: v for v in views}
        ol = self.branch_list
        turn = None if s.state.ended else s.state.turn
        prompts = [(v.id, *branch_prompt(v, turn)) for v in views]
        signature = [(i, p.plain, st.plain) for i, p, st in prompts]
        old = self._list_signature
        if signature != old:            # touch the list only where it changed
            self._list_signature = signature
            if [i for i, *_ in signature] == [i for i, *_ in old]:
                for index, (new, before) in enumerate(zip(signature, old)):
                    if new != before:
                        ol.replace_entry(index, *prompts[index][1:])
            else:
                ol.set_options([Entry(p, i, status=st) for i, p, st in prompts])
                if views:
                    ids = [v.id for v in views]
                    ol.highlighted = ids.index(keep_id) if keep_id in ids else 0
        self.refresh_header()
        self.refresh_detail()
        self.refresh_state()
        self.refresh_log()
        allowed = tuple(self.check_action(a, ()) for a in sorted(GUARDED | {"quit_app"}))
        if allowed != self._allowed:        # a footer rebuild only when its keys change
            self._allowed = allowed
            self.refresh_bindings()

    def refresh_header(self) -> None:
        s = self.session
        t = s.turn
        title = Content.assemble((s.scenario.title, "bold"))
        set_static(self.query_one("#ex-title", Static), title)
        self.refresh_clock()
        parts = [Content.assemble((_("Turn") + " ", ""), (f"{t.index}", "bold"),
                                  f"/{s.scenario.last_turn}: ", (t.label, "bold"), f" ({t.date})"),
                 Content.assemble(_("Group:") + " ", (s.group, "bold"))]
        allowances = s.allowances()
        if s.state.ended:
            pass                        # nothing more can be played: no allowance to show
        elif s.scenario.cells:
            parts.append(Content(" ".join(f"{who} {used}/{n}" for who, used, n in allowances)))
            sealed = s.sealed() if s.scenario.sealed_moves else []
            if sealed:
                parts.append(styled(_("sealed: {n} (s reveals)").format(n=len(sealed)),
                                    f"bold {WARN}"))
        else:
            parts.append(Content(_("Moves {used}/{allowed}").format(used=allowances[0][1],
                                                                allowed=allowances[0][2])))
        if s.env.switched_off:
            titles = sorted(s.scenario.events[e].title if e in s.scenario.events else e
                            for e in s.env.switched_off)
            parts.append(styled(_("counterfactual: without {events}").format(
                events="; ".join(titles)), WARN))
        status = Content(" · ").join(parts)
        pending = s.pending_roll()
        if s.state.ended:
            # its own line, under the turn's (cut to one line): the log's path shortened from
            # the middle to fit, whole in the notice a click on the line gives (and copies)
            width = max(self.app.size.width - 2, 20)       # the line's padding: 0 1
            status = status.truncate(width, ellipsis=True) + "\n" + styled(
                "■ " + self.ended_text(width - 2), f"bold {BAD}").truncate(width, ellipsis=True)
        elif pending is not None:
            status = status + styled("  ⚄ " + _("roll waiting for '{title}' — press r").format(
                title=pending[0].title),
                                     f"bold {WARN}")
        set_static(self.query_one("#ex-status", Static), status)

    def ended_text(self, width: int) -> str:
        """'SESSION ENDED — log saved to PATH; q quits' in at most `width` cells, the path
        shortened from the middle when it must be."""
        s = self.session
        ending = s.scenario_ending_title()
        said = (_("SESSION ENDED ({ending}) — log saved to {path}; q quits") if ending
                else _("SESSION ENDED — log saved to {path}; q quits"))
        room = width - Content(said.format(ending=ending, path="")).cell_length
        return said.format(ending=ending, path=middle_ellipsis(str(s.log_path), room))

    @on(events.Click, "#ex-status")
    def copy_log_path(self) -> None:
        """A click on the status line of an ended session copies the log's path and shows
        it whole."""
        path = self.session.log_path
        if self.session.state.ended and path is not None:
            self.app.copy_to_clipboard(str(path))
            self.notify(_("The log is at {path} (copied to the clipboard)").format(path=path),
                        title=_("Session ended"), markup=False)

    def refresh_clock(self) -> None:
        """The time of day, the session's elapsed time, and this turn's time (or what is
        left of its time box), from the times in the log."""
        s = self.session
        now = self.app.wall_clock()
        parts = [Content.styled(now.strftime("%H:%M"), "bold"),
                 Content(_("session {elapsed}").format(
                     elapsed=elapsed(str(s.header.get('started', '')), now)))]
        if not s.state.ended:
            started = s.turn_started()
            left = time_box_left(started, s.time_box, now)
            if left is None:
                parts.append(Content(_("turn {elapsed}").format(elapsed=elapsed(started, now))))
            elif left >= 0:
                parts.append(Content.styled(_("turn {left} left").format(left=hms(left)),
                                            f"bold {WARN}"))
            else:
                parts.append(Content.styled(_("turn over by {over}").format(over=hms(-left)),
                                            f"bold {BAD}"))
        set_static(self.query_one("#ex-clock", Static), Content(" · ").join(parts))

    def refresh_detail(self) -> None:
        view = self.highlighted_view()
        detail = self.query_one("#detail", ParagraphView)
        if view is None:
            detail.update([(0, styled(_("No branches in this scenario."), MUTED))])
            return
        s = self.session
        b = view.branch
        modifiers = probability = None
        odds = s.odds(b.id)
        if odds is not None:
            modifiers, chance = odds
            probability = percent(chance)
        pending = s.state.pending
        new_branch = b.id != self._detail_id      # a new branch: show its top
        self._detail_id = b.id
        actor = s.scenario.actors.get(b.actor, b.actor)
        if s.scenario.cells:
            cell = s.scenario.cell_of_actor(b.actor)
            actor = _("{actor} (cell: {cell})").format(
                actor=actor, cell=cell.name if cell else _("White cell"))
        detail.update(branch_detail(
            view, actor=actor, modifiers=modifiers,
            probability=probability, fired={sid for sid, _, _ in s.fired_signposts()},
            pending_option=pending.option if pending and pending.branch == b.id else None),
            scroll_home=new_branch)

    def refresh_state(self) -> None:
        s = self.session
        # (a roll waiting is said in the status line, the branch list and the detail: here
        # it would change the pane's height, and redraw its scrollbar, with every contested
        # choice)
        out = state_paragraphs(s.variable_views())
        fired = s.fired_signposts()
        out += heading(_("Signposts fired"))
        if fired:
            out += [(2, Content.assemble(("⚑ ", OK), text,
                                         ("  " + _("(turn {turn})").format(turn=turn), MUTED)))
                    for _sid, text, turn in fired]
        else:
            out.append((2, styled(_("none yet"), MUTED)))
        released = [v for v in s.inject_views() if v.released]
        if released:
            out += heading(_("Injects released"))
            out += [(2, Content.assemble(("✉ ", ACCENT), v.title)) for v in released]
        self.query_one("#state-pane", ParagraphView).update(out)

    def refresh_log(self) -> None:
        s = self.session
        empty = [(0, styled(_("No actions yet. The log is at {path}").format(path=s.log_path),
                            MUTED))]
        self.query_one("#log-pane", LogView).show(s.records, s.scenario, empty, s.undone)

    @on(BranchList.Selected, "#branches")
    async def _selected(self) -> None:
        await self.action_choose()

    # ------------------------------------------------------------------ engine calls
    def run_engine(self, fn, *args, said_by_the_log: bool = False) -> Outcome | None:
        """Call the session (it logs the action first), then refresh and say what happened.
        `said_by_the_log`: the action's log line says all its toast would (a choice, an
        undo): no toast then, only the signposts it fired."""
        try:
            outcome = fn(*args)
        except LogWriteError as e:
            self.not_recorded(e)
            return None
        except SessionError as e:
            self.notify(str(e), title=_("Not possible"), severity="error", markup=False)
            return None
        self.refresh_all()
        # the panes show the result in the next frame; the toasts follow a frame later
        # (mounting a toast restyles and lays out the screen: it would delay that frame)
        self.call_after_refresh(self.say_outcome, outcome, said_by_the_log)
        return outcome

    def not_recorded(self, error: LogWriteError) -> None:
        """Writing the action failed: say so in a dialog; the screen still shows the state
        before it, which is the session's state."""
        from .not_recorded import NotRecordedDialog
        self.app.push_screen(NotRecordedDialog(str(error)))

    def say_outcome(self, outcome: Outcome, said_by_the_log: bool = False) -> None:
        if self.app.screen is not self:
            # a dialog opened meanwhile (the roll's result, an inject card): it shows the
            # outcome, and a toast would cover it; the log pane keeps every action
            return
        # A toast that repeats the log's last line covers the log pane, and coming and going
        # it lays the screen out twice: with a choice panel opened meanwhile, in the frame
        # that shows the next choice.
        if not said_by_the_log:
            self.notify(outcome.message, markup=False)
        if outcome.fired:
            texts = {sid: text for sid, text, _ in self.session.fired_signposts()}
            for sid in outcome.fired:
                self.notify(texts.get(sid, sid), title=_("Signpost"), severity="warning",
                            markup=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        ended = self.session.state.ended
        if action in GUARDED and ended:
            return False
        if action == "hotwash":
            return ended
        if action == "roll":
            # shown only when a roll is waiting (the footer has no room to spare at 80 columns)
            return self.session.pending_roll() is not None
        if action == "reveal":       # only when moves are sealed
            return bool(self.session.scenario.sealed_moves and self.session.sealed())
        return True

    # ------------------------------------------------------------------ actions
    def _open_view_or_say_why(self) -> BranchView | None:
        view = self.highlighted_view()
        if view is None:
            self.notify(_("No branch is highlighted."), severity="warning")
            return None
        if not view.open:
            self.notify(_("'{title}' cannot be played: {reason}").format(
                title=view.branch.title, reason=view.said or view.reason),
                title=_("Blocked"), severity="warning", markup=False)
            return None
        return view

    @property
    def choose_panel(self) -> ChoosePanel:
        return self._choose

    def busy(self) -> bool:
        """True while the choose panel is open (other action keys wait)."""
        return self.choose_panel.is_open

    def refuse_if_busy(self) -> bool:
        """True, and says why, while the choose panel is open."""
        if self.busy():
            # said in the panel's own hint line: a notification would cover it
            self.choose_panel.warn(_("A choice is open: enter records it, escape cancels it."))
            return True
        return False

    def say_ended(self) -> None:
        self.notify(_("The session has ended: nothing more can be played or undone. The log "
                      "is saved ({path}). h records the hotwash per objective, v an "
                      "observation, a an amendment; q quits.").format(
                          path=self.session.log_path),
                    title=_("Session ended"), severity="warning", markup=False)

    # ------------------------------------------------------------------ the debrief
    def objective_choices(self) -> list[tuple[str, str, str]]:
        sc = self.session.scenario
        return [(o.id, o.text, "; ".join(o.capabilities)) for o in sc.objectives] + [
            (GENERAL_CHOICE, _("General (not tied to an objective)"), "")]

    def action_observe(self) -> None:
        if self.refuse_if_busy():
            return
        from engine.play.hotwash import observation_kind, parse_action_number

        from .debrief import FormDialog

        def apply(choice: str, v: dict) -> str | None:
            kind = observation_kind(v["kind"])
            try:
                supports = parse_action_number(v["supports"])
            except ValueError as e:
                return str(e)
            return self.apply(self.session.observe, "" if choice == GENERAL_CHOICE else choice,
                              kind, v["text"], supports)

        last = len(self.session.records) - 1
        self.app.push_screen(FormDialog(
            _("Record an observation"), _("Pick the objective it bears on."),
            self.objective_choices(),
            [("kind", _("s = strength, i = area for improvement"), _("s or i")),
             ("text", _("What the white cell saw"), _("one or two sentences")),
             ("supports", _("Supporting action (optional)"),
              _("its number, e.g. {n}").format(n=last) if last else _("none yet"))], apply))

    def action_hotwash(self) -> None:
        from engine.play.hotwash import parse_plan_lines

        from .debrief import FormDialog

        def apply(choice: str, v: dict) -> str | None:
            try:
                plan = parse_plan_lines("\n".join(x for x in v["plan"].split("|")))
            except ValueError as e:
                return str(e)
            return self.apply(lambda: self.session.hotwash_entry(
                "" if choice == GENERAL_CHOICE else choice, rating=v["rating"].strip(),
                sustain=v["sustain"], improve=v["improve"], notes=v["notes"], plan=plan))

        self.app.push_screen(FormDialog(
            _("Hotwash"), _("One entry per objective (amend it later with a)."),
            self.objective_choices(),
            [("rating", _("Rating: P, S, M or U (or leave empty)"), "P / S / M / U"),
             ("sustain", _("Sustain: what went well"), ""),
             ("improve", _("Improve: what to do better"), ""),
             ("notes", _("Notes"), ""),
             ("plan", _("Plan: recommendation ; owner ; due date, several separated by |"),
              _("e.g. Brief allies first ; NATO desk ; 2025-06-30"))], apply))

    def action_amend(self) -> None:
        if self.refuse_if_busy():
            return
        from engine.play.hotwash import amendable_fields, parse_action_number, parse_plan_lines

        from .debrief import FormDialog

        def apply(_choice: str, v: dict) -> str | None:
            try:
                target = parse_action_number(v["action"], _("the action to amend"))
                if target is None:
                    return _("give the number of the action to amend")
                field = v["field"].strip() or next(iter(
                    amendable_fields(self.session.records, target)), "")
                value = v["value"]
                if field == "plan":
                    value = parse_plan_lines("\n".join(value.split("|")))
                elif field == "participants":
                    value = [p for p in value.split("|") if p.strip()]
            except ValueError as e:
                return str(e)
            return self.apply(self.session.amend, target, field, value, v["reason"])

        self.app.push_screen(FormDialog(
            _("Amend a logged entry"), _("The original stays in the log; the report shows both."),
            [],
            [("action", _("Action number"), _("as the log panel shows it")),
             ("field", _("Field (empty: the rationale or text)"), "rationale, text, sustain, "
              "improve, notes, rating, plan, hotwash…"),
             ("value", _("New value"), ""), ("reason", _("Reason (optional)"), "")], apply,
            confirm=_("Amend")))

    def on_key(self, event) -> None:
        """After the end the play keys are switched off (and left out of the footer): say so
        instead of doing nothing."""
        if self.session.state.ended and event.key in self._play_keys():
            event.stop()
            event.prevent_default()
            self.say_ended()

    def _play_keys(self) -> set[str]:
        return {key for key, bindings in self._bindings.key_to_bindings.items()
                if any(b.action.partition("(")[0] in GUARDED for b in bindings)}

    async def action_choose(self, preselect: int | None = None) -> None:
        if self.session.state.ended:
            self.say_ended()
            return
        if self.refuse_if_busy():
            return
        view = self._open_view_or_say_why()
        if view is None:
            return
        # filled in before it shows (no stale frame); the first time, as the push mounts it
        self._choose_screen.open(view, preselect)
        if not self.app.is_screen_installed(self._choose_name):
            self.app.install_screen(self._choose_screen, self._choose_name)
        await self.app.push_screen(self._choose_screen)

    def record_choice(self, branch_id: str, option_id: str, rationale: str) -> None:
        """Called by the choose panel: log the choice through the engine, then show it."""
        if self.focused is not self.branch_list:    # (focusing repaints the whole list)
            self.branch_list.focus()
        sc = self.session.scenario
        branch = sc.branches[branch_id]
        if sc.sealed_moves and sc.cell_of_actor(branch.actor) is not None:
            self.run_engine(self.session.seal, branch_id, option_id, rationale,
                            said_by_the_log=True)
        else:
            self.run_engine(self.session.choose, branch_id, option_id, rationale,
                            said_by_the_log=True)

    def action_reveal(self) -> None:
        """Reveal the sealed moves together, then make them in the cells' order (stopping
        at a roll: rolling it goes on with the rest)."""
        if self.refuse_if_busy():
            return
        if self.run_engine(self.session.reveal) is not None:
            self.apply_revealed_moves()

    def apply_revealed_moves(self) -> None:
        s = self.session
        while s.revealed_queue() and s.state.pending is None:
            if self.run_engine(s.apply_revealed) is None:
                break

    def action_cancel_choice(self) -> None:
        if self.choose_panel.is_open:
            self.choose_panel.close()
            self.branch_list.focus()

    async def action_choose_option(self, n: int) -> None:
        if self.refuse_if_busy():
            return
        view = self.highlighted_view()
        if view is not None and view.open and not 1 <= n <= len(view.branch.options):
            n_options = len(view.branch.options)
            self.notify(ngettext("'{title}' has {n} option.", "'{title}' has {n} options.",
                                 n_options).format(title=view.branch.title, n=n_options),
                        severity="warning", markup=False)
            return
        await self.action_choose(n - 1)

    def action_roll(self) -> None:
        if self.refuse_if_busy():
            return
        from .roll import RollDialog
        pending = self.session.pending_roll()
        if pending is None:
            self.notify(_("No roll is waiting: choose a contested option first."),
                        severity="warning")
            return
        branch, mods = pending
        option = branch.option(self.session.state.pending.option)
        chance = percent(self.session.odds(branch.id)[1])
        results = self.session.roll_results(branch.id, option.id)

        def done(result) -> None:
            if not result:
                return
            if result[0] == "roll":
                outcome = self.run_engine(self.session.roll)
                if outcome is not None and outcome.roll is not None:
                    from .roll_result import RollResultDialog
                    result_of = option.outcome(outcome.roll.result)
                    band = next((r for r in results if r.result == outcome.roll.band), None)
                    self.app.push_screen(RollResultDialog(
                        branch.title, option.label, outcome.roll, branch.adjudication.sides,
                        self.session.text(result_of.narrative) if result_of else "",
                        band=band, against_sides=branch.adjudication.against_sides,
                        against_label=branch.adjudication.against_label))
            else:
                _kind, success, rationale = result
                self.run_engine(self.session.decide, success, rationale)
            self.apply_revealed_moves()

        self.app.push_screen(RollDialog(branch, option, mods, chance, self.session.text,
                                        results), done)

    def action_note(self) -> None:
        if self.refuse_if_busy():
            return
        from .text import TextDialog
        # the dialog stays open, with the engine's reason, when the note is refused (empty)
        self.app.push_screen(TextDialog(
            _("Add a note"), _("The note goes into the log."), confirm=_("Add note"),
            placeholder=_("what happened, what the group said…"),
            apply=lambda text: self.apply(self.session.note, text)))

    def action_inject(self) -> None:
        if self.refuse_if_busy():
            return
        from .inject import InjectDialog

        def done(result) -> None:
            if result:
                inject_id, rationale = result
                self.show_inject_cards(self.run_engine(self.session.release, inject_id,
                                                       rationale), _("by hand"))

        self.app.push_screen(InjectDialog(self.session.inject_views()), done)

    def apply(self, fn, *args) -> str | None:
        """Called by a dialog that stays open when the engine refuses: the engine's message,
        or None once the action is logged and shown."""
        try:
            outcome = fn(*args)
        except LogWriteError as e:
            self.not_recorded(e)
            return str(e)
        except SessionError as e:
            return str(e)
        self.refresh_all()
        self.call_after_refresh(self.say_outcome, outcome)
        return None

    def apply_override(self, variable: str, text: str, rationale: str) -> str | None:
        """Called by the override dialog: the engine's message if the value is refused."""
        return self.apply(self.session.override, variable, text, rationale)

    def action_override(self) -> None:
        if self.refuse_if_busy():
            return
        from .override import OverrideDialog
        argument = self.session.open_argument()
        rationale = (_("argument: {text}").format(text=argument.argument) if argument
                     else "")
        self.app.push_screen(OverrideDialog(self.session.variable_views(), self.apply_override,
                                            rationale=rationale))

    def action_argue(self) -> None:
        if self.refuse_if_busy():
            return
        from .argument import ArgumentDialog
        s = self.session

        def done(result) -> None:
            if not result:
                return
            cell, text, strength, counters = result
            outcome = self.run_engine(s.argue, cell, text, strength, counters)
            if outcome is not None and outcome.roll is not None:
                from .roll_result import RollResultDialog
                rec = outcome.record
                who = s.scenario.cell(cell).name if s.scenario.cell(cell) else s.group
                self.app.push_screen(RollResultDialog(
                    _("argument by {who} ({strength})").format(who=who, strength=strength),
                    text, outcome.roll, s.scenario.arguments.sides,
                    _("Apply its effects with o (override): the argument is filled in as the "
                      "rationale.") if rec["success"]
                    else _("The argument fails: nothing changes.")))

        self.app.push_screen(ArgumentDialog(s.scenario, s.group), done)

    def action_undo(self) -> None:
        if self.refuse_if_busy():
            return
        self.run_engine(self.session.undo, said_by_the_log=True)

    TURN_GUARD_SECONDS = 1.5
    """A second `t` this soon after a turn change is taken for a double press, not a skip."""

    def action_next_turn(self) -> None:
        if self.refuse_if_busy():
            return
        import time
        since = time.monotonic() - self._turn_changed_at
        if since < self.TURN_GUARD_SECONDS:
            self.notify(_("The turn has just changed: press t again in a moment to move on."),
                        severity="warning")
            return
        s = self.session
        if not s.state.moves and s.state.pending is None and not s.state.ended \
                and any(v.open for v in self._views.values()):
            from .confirm import ConfirmDialog
            self.app.push_screen(ConfirmDialog(
                _("No move this turn"),
                _("No move was played in turn {turn} ({label}). Move on to the next turn "
                  "anyway?").format(turn=s.state.turn, label=s.turn.label),
                confirm=_("Next turn")),
                lambda ok: self.next_turn_now() if ok else None)
            return
        self.next_turn_now()

    _turn_changed_at = float("-inf")

    def next_turn_now(self) -> None:
        import time
        before = self.session.state.turn
        outcome = self.run_engine(self.session.next_turn)
        if outcome is not None and self.session.state.turn != before:
            self._turn_changed_at = time.monotonic()
            if self._views:
                self.branch_list.highlighted = 0
        self.show_inject_cards(outcome)

    def show_inject_cards(self, outcome: Outcome | None, how: str | None = None) -> None:
        """A card the facilitator can read out for each inject the action released, saying
        how (`how`, else the engine's word for each: scheduled, or drawn with its chance)."""
        if outcome is None or not outcome.released:
            return
        from .inject_card import InjectCardDialog
        views = {v.id: v for v in self.session.inject_views()}
        self.app.push_screen(InjectCardDialog(
            [views[i] for i in outcome.released],
            [how or self.session.release_text(i) for i in outcome.released]))

    def action_end(self) -> None:
        if self.refuse_if_busy():
            return
        from .debrief import FormDialog
        from .text import TextDialog

        def who(text) -> None:
            """Second step: who took part and whom to contact, then the end is logged."""
            if text is None:
                return

            def apply(_choice: str, v: dict) -> str | None:
                people = [p for p in v["participants"].split("|") if p.strip()]
                return self.apply(self.session.end, text, people, v["contact"])

            self.app.push_screen(FormDialog(
                _("End the session: who took part"), _("For the after-action report (both "
                                                       "optional). Nothing can be played after "
                                                       "this."), [],
                [("participants", _("Cells and participants, separated by |"),
                  _("e.g. Blue cell: Japan and NATO (4) | White cell (2)")),
                 ("contact", _("Point of contact for the report"), _("name, role"))], apply,
                confirm=_("End session")))

        self.app.push_screen(TextDialog(
            _("End the session"), _("Hotwash notes (optional): what the group took away. "
                                    "Next: who took part."),
            confirm=_("Next"), multiline=True, danger=True), who)

    def action_help(self) -> None:
        if self.refuse_if_busy():
            return
        from .help import HelpScreen
        self.app.push_screen(HelpScreen(self))

    def action_quit_app(self) -> None:
        if not self.session.state.ended:
            self.notify(_("q quits once the session has ended; ctrl+q quits now (every "
                          "action is already saved)."), severity="warning")
            return
        self.app.action_quit()
