"""A session: one logged play of a scenario.

Every facilitator action is checked by `engine.play.rules`, written to the log (flushed and
fsync'd) and only then made the live state. A session without a log file is used by replay.
Undo is an action too: it restores the state before the last undoable action (dice
included, so undoing a roll and rolling again gives the same faces — no fishing for a
better result).
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as _dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any, cast

import attrs

from engine import __version__
from engine.format.strings import text_version
from engine.i18n import _
from engine.lang.text import render
from engine.model import Branch, Event, Scenario, Source, from_json_value, to_json_value
from engine.play import hotwash as hw
from engine.play import records as lr
from engine.play import rules
from engine.play.checkpoint import EVERY as CHECKPOINT_EVERY
from engine.play.checkpoint import Snapshot, UndoEntry, checkpoint_path, write_checkpoint
from engine.play.dice import Roll, roll_odds
from engine.play.errors import LogWriteError, SessionError  # noqa: F401  (re-exported)
from engine.play.log import LOG_FORMAT, LazyRecords, LogWriter
from engine.play.rules import ClauseResult, Env, GameState, RuleError
from engine.play.signing import Signer
from engine.play.views import (
    ResultView,
    VariableView,
    fired_signposts_at,
    result_views,
    variable_views_at,
)

UNDOABLE_RECORDS = (lr.Choose, lr.Roll, lr.Decide, lr.Release, lr.Override, lr.NextTurn,
                    lr.Argument, lr.Seal, lr.Reveal)
UNDOABLE = frozenset(cls.ACTION for cls in UNDOABLE_RECORDS)   # their names, for plain lines


def utc_now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def local_zone(now: _dt.datetime | None = None) -> dict:
    """The room's time zone when the session starts: its name and UTC offset, so reports can
    show times as the room saw them (log times stay in UTC)."""
    now = now or _dt.datetime.now()
    local = now if now.tzinfo is not None else now.astimezone()
    offset = local.utcoffset() or _dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return {"name": local.tzname() or "", "offset": f"{sign}{hours:02d}:{mins:02d}"}


# ---------------------------------------------------------------------------- views

@attrs.frozen
class CitedEvent:
    event: Event
    sources: tuple[tuple[Source, tuple[int, ...]], ...]   # source with the footnotes citing it
    occurred: bool
    switched_off: bool


@attrs.frozen
class BranchView:
    branch: Branch
    open: bool
    reason: str | None                       # one line, when blocked
    clauses: tuple[ClauseResult, ...]        # the precondition, clause by clause
    events: tuple[CitedEvent, ...]
    played: bool                             # ever chosen in this session
    options: tuple[OptionView, ...] = ()     # each option's own condition (format 2)
    narrative: str = ""                      # the branch's, placeholders filled in
    said: str | None = None                  # the reason for the room: labels and titles
    blocked: str | None = None               # the reason's kind (rules.BLOCK_KINDS)

    @property
    def id(self) -> str:
        return self.branch.id

    def option(self, option_id: str) -> OptionView | None:
        return next((o for o in self.options if o.id == option_id), None)


@attrs.frozen
class OptionView:
    id: str
    reason: str | None                       # why it cannot be chosen now (its `when`)
    clauses: tuple[ClauseResult, ...]        # its `when`, clause by clause
    narrative: str = ""                      # placeholders filled in from the state


@attrs.frozen
class InjectView:
    id: str
    title: str
    narrative: str
    available: bool
    reason: str | None
    scheduled: int | None
    released: bool


@attrs.frozen
class Outcome:
    """What an action did, for the screen."""

    record: dict
    message: str
    roll: Roll | None = None
    released: tuple[str, ...] = ()
    fired: tuple[str, ...] = ()


# ---------------------------------------------------------------------------- session

def default_log_path(scenario: Scenario, group: str, when: _dt.datetime | None = None,
                     folder: Path = Path("sessions")) -> Path:
    when = when or _dt.datetime.now()
    # letters of any script stay (a group named МГИМО-1 gets a file that says so)
    slug = re.sub(r"[^\w-]+", "-", group).strip("-_").lower() or "group"
    return folder / f"{scenario.id}-{slug}-{when.strftime('%Y%m%d-%H%M%S')}.jsonl"


class Session:
    def __init__(self, scenario: Scenario, env: Env, header: dict,
                 writer: LogWriter | None, clock: Callable[[], str] = utc_now):
        self.scenario = scenario
        self.env = env
        self.header = header
        self.writer = writer
        self.clock = clock
        self.state: GameState = rules.initial_state(env)
        self.records: list[dict] | LazyRecords = [header]
        # an entry for each undoable action not undone: the state before it, the turn's start
        self._undo: list[UndoEntry] = []
        self.turn_start: GameState = self.state
        self.turn_start_line = 0       # the log line (0: the header) turn_start was logged on
        self._hash: str = rules.state_hash(self.state, env)     # of self.state, always
        self.hotwash: str | None = None
        # chance inject → the turn its draw was made at (the last time that turn was entered;
        # an entry for a turn after the live one was undone and does not count)
        self._draws: dict[str, int] = {}

    # -- construction
    @classmethod
    def start(cls, scenario: Scenario, *, seed: int, group: str,
              switched_off: Iterable[str] = (), log_path: str | Path | None = None,
              forked_from: dict | None = None, clock: Callable[[], str] = utc_now,
              signer: Signer | None = None, zone: dict | None = None,
              time_box: int | None = None) -> Session:
        """A new session; with `log_path`, its log is created (refused if it holds a session)
        and locked until `close`. With `signer` (engine.play.signing.signing_key()), every
        line of the log is signed. `zone` is the room's time zone (default: this machine's).
        `time_box` is the minutes per turn set at setup (recorded in the header)."""
        off = sorted(set(switched_off))
        try:
            scenario.check_switched_off(off)
        except ValueError as e:
            raise SessionError(str(e)) from None
        env = Env.for_session(scenario, off, seed)
        header = lr.Header(
            format=LOG_FORMAT, engine=__version__,
            scenario={"id": scenario.id, "title": scenario.title, "path": scenario.path,
                      "hash": scenario.content_hash, "files": scenario.file_hashes,
                      "items": scenario.item_hashes, "logic": scenario.logic_hash,
                      "lang": scenario.lang, "text": text_version(scenario)},
            seed=seed, group=group, started=clock(), switched_off=off,
            forked_from=forked_from, zone=zone or local_zone(),
            signing=signer.header_field() if signer is not None else None,
            time_box=int(time_box) if time_box else None)   # minutes per turn, set at setup
        writer = None
        if log_path is not None:
            writer = LogWriter.create(Path(log_path), signer)  # locked until the session closes
            # a checkpoint left by an earlier log of that name: never of this one
            with contextlib.suppress(OSError):
                checkpoint_path(log_path).unlink(missing_ok=True)
        session = cls(scenario, env, lr.to_json(header), writer, clock)
        line = lr.to_json(attrs.evolve(header, state=session.state_hash))
        try:
            session.records[0] = writer.append(line) if writer else line
        except LogWriteError:
            assert writer is not None         # only a writer raises it
            writer.close()
            raise
        session.header = session.records[0]
        return session

    @property
    def log_path(self) -> Path | None:
        return self.writer.path if self.writer else None

    @property
    def group(self) -> str:
        return str(self.header.get("group", ""))

    @property
    def seed(self) -> int:
        return int(self.header.get("seed", 0))

    @property
    def turn(self):
        return self.scenario.turns[self.state.turn]

    @property
    def state_hash(self) -> str:
        """The hash of the live state, as the last logged line records it."""
        return self._hash

    @property
    def actions(self) -> Sequence[dict]:
        return self.records[1:]

    @property
    def time_box(self) -> int | None:
        """Minutes per turn (set at setup, else the scenario's), or None."""
        box = self.header.get("time_box")
        return box if isinstance(box, int) and box > 0 else self.scenario.time_box

    def allowances(self) -> list[tuple[str, int, int]]:
        """(who, moves used this turn, moves allowed): the group, or each cell and then the
        white cell (the branches whose actor no cell plays)."""
        sc = self.scenario
        if not sc.cells:
            return [(self.group, len(self.state.moves), sc.moves_per_turn)]
        out = [(c.name, sum(1 for m in self.state.moves if sc.cell_of_move(m) == c),
                c.moves_per_turn) for c in sc.cells]
        white = [b for b in sc.branches.values() if sc.cell_of_actor(b.actor) is None]
        if white:
            out.append((_("White cell"), sum(1 for m in self.state.moves
                                          if sc.cell_of_move(m) is None), sc.moves_per_turn))
        return out

    def open_argument(self) -> lr.Argument | None:
        """The argument whose effects the facilitator may be applying now: the last action,
        overrides aside, when it is a successful argument (for the override's rationale)."""
        for i in range(len(self.records) - 1, 0, -1):
            match self.record(i):
                case lr.Override():
                    continue
                case lr.Argument(success=True) as argument:
                    return argument
            return None
        return None

    def record(self, line: int) -> lr.AnyRecord:
        """The typed record of log line `line` + 1 (0: the header)."""
        return lr.from_json(self.records[line], line + 1)
    def undone(self, n: Any) -> bool:
        """Whether logged action `n` was taken back by an undo. An undoable action goes on the
        undo stack and leaves it only through the undo that names it, so it is one no longer
        on the stack: one line read, whatever the log's length (the log pane asks this for the
        entries it shows, rather than finding every undo in the log)."""
        if not isinstance(n, int) or isinstance(n, bool) or not 0 < n < len(self.records) \
                or self.records[n].get("action") not in UNDOABLE:
            return False
        i = bisect.bisect_left(self._undo, n, key=lambda e: e.n)
        return not (i < len(self._undo) and self._undo[i].n == n)

    def turn_started(self) -> str:
        """When this turn began (ISO time, from the log): the time of the turn change that
        made it, or the session's start. One line looked up, however long the log."""
        start = str(self.header.get("started", ""))
        if not self.turn_start_line:
            return start
        return str(self.records[self.turn_start_line].get("at", start))

    def close(self) -> None:
        """Close the log (releasing its lock); a long session leaves a checkpoint beside it
        first, so that resuming it is quick (engine.play.checkpoint)."""
        if self.writer:
            if not self.writer.closed and len(self.records) >= CHECKPOINT_EVERY:
                self.save_checkpoint()
            self.writer.close()

    # -- queries
    def cited_events(self, ids: Iterable[str]) -> tuple[CitedEvent, ...]:
        occurred = self.env.occurred[self.state.turn]
        out = []
        for eid in ids:
            ev = self.scenario.events[eid]
            srcs = tuple((self.scenario.sources[c.source], c.footnotes) for c in ev.sources
                         if c.source in self.scenario.sources)
            out.append(CitedEvent(ev, srcs, eid in occurred, eid in self.env.switched_off))
        return tuple(out)

    def branch_view(self, branch_id: str) -> BranchView:
        b = self.scenario.branches[branch_id]
        blocked = rules.block(b, self.state, self.env)
        reason = None if blocked is None else blocked[1]
        options = tuple(OptionView(o.id, rules.option_block_reason(o, self.state, self.env),
                                   rules.explain(o.when, self.state, self.env),
                                   self.text(o.narrative))
                        for o in b.options)
        return BranchView(b, reason is None, reason, rules.explain(b.when, self.state, self.env),
                          self.cited_events(self.scenario.branch_events(b)),
                          b.id in self.state.chosen, options, self.text(b.narrative),
                          rules.block_reason(b, self.state, self.env, words=True),
                          None if blocked is None else blocked[0])

    def branch_views(self) -> list[BranchView]:
        """Every branch: this turn's first, then the others, each in the scenario's order.
        The order holds through a turn (a choice that blocks a branch does not move it), so
        the room's eyes find each branch where it was."""
        views = [self.branch_view(b) for b in self.scenario.branches]
        turn = self.state.turn
        return sorted(views, key=lambda v: turn not in v.branch.turns)

    def variable_views(self) -> list[VariableView]:
        """The variables now; `changed` marks those that moved since the turn began."""
        return variable_views_at(self.scenario, self.state, self.turn_start)

    def ending_text(self, state: GameState | None = None) -> str:
        """The scenario ending that ended the session, in words ('' if none did)."""
        state = self.state if state is None else state
        ending = next((e for e in self.scenario.endings if e.id == state.ending), None)
        if ending is None:
            return ""
        narrative = render(ending.narrative, state, self.env)
        return f"the session has ended: {ending.title}" + (f". {narrative}" if narrative else "")

    def scenario_ending_title(self) -> str:
        return next((e.title for e in self.scenario.endings if e.id == self.state.ending), "")

    def text(self, text: str) -> str:
        """A narrative with its {placeholders} filled in from the current state."""
        return render(text, self.state, self.env)

    def inject_views(self) -> list[InjectView]:
        out = []
        for i in self.scenario.injects.values():
            reason = rules.inject_block_reason(i, self.state, self.env, words=True)
            if reason is not None and self.missed(i.id) is not None:
                reason = self.draw_text(i.id)
            out.append(InjectView(i.id, i.title, self.text(i.narrative), reason is None, reason,
                                  i.turn, i.id in self.state.released))
        return out

    def missed(self, inject_id: str) -> bool | None:
        """For a chance inject whose turn has begun, still unreleased: True when its draw
        missed, False when it was not drawn (its condition did not hold when the turn began);
        None for any other inject, before its turn, once released or ended."""
        i = self.scenario.injects.get(inject_id)
        if i is None or i.chance is None or i.turn is None or i.turn > self.state.turn \
                or i.id in self.state.released or self.state.ended:
            return None
        return self._draws.get(inject_id) == i.turn

    def draw_text(self, inject_id: str) -> str:
        """How a chance inject's draw came out: released by it (at the start of this turn or
        of an earlier one), missed, not drawn (its condition did not hold then); before its
        turn, when it will be drawn."""
        i = self.scenario.injects[inject_id]
        assert i.chance is not None, "asked only of a chance inject"
        p = rules.chance_text(i.chance)
        if i.id in self.state.released:
            if i.turn == self.state.turn:
                return _("drawn at the start of this turn with chance {p}: it happened").format(
                    p=p)
            return _("drawn when turn {turn} began with chance {p}: it happened").format(
                turn=i.turn, p=p)
        missed = self.missed(i.id)
        if missed:
            return _("drawn when turn {turn} began: missed (chance {p})").format(turn=i.turn, p=p)
        if missed is False:
            return _("not drawn when turn {turn} began: its condition did not hold").format(
                turn=i.turn)
        return _("drawn when turn {turn} begins (chance {p})").format(turn=i.turn, p=p)

    def release_text(self, inject_id: str) -> str:
        """How an inject released by the turn change that began this turn came to be: drawn
        (a chance inject, with its chance) or scheduled."""
        i = self.scenario.injects[inject_id]
        return self.draw_text(inject_id) if i.chance is not None else _("scheduled for this turn")

    def pending_roll(self) -> tuple[Branch, list[tuple[str, int]]] | None:
        """The adjudication waiting to be rolled, with the modifiers that apply now."""
        if self.state.pending is None:
            return None
        branch = self.scenario.branches[self.state.pending.branch]
        return branch, rules.modifiers_now(branch, self.state, self.env)

    def odds(self, branch_id: str) -> tuple[list[tuple[str, int]], Fraction] | None:
        """For a branch with an adjudication: the modifiers that apply now and the exact
        chance of success they give (None for a branch without one)."""
        branch = self.scenario.branches[branch_id]
        adj = branch.adjudication
        if adj is None:
            return None
        mods = rules.modifiers_now(branch, self.state, self.env)
        odds = roll_odds(adj, sum(v for _, v in mods))
        return mods, next((p for p, r in odds if r is True), Fraction(0))

    def result_odds(self, branch_id: str) -> tuple[list[tuple[str, int]],
                                                   list[tuple[Fraction, bool | str]]] | None:
        """For a branch with an adjudication: the modifiers that apply now and the exact
        chance of each result (`engine.play.dice.roll_odds`: success/failure, or each band
        of a graded roll); None for a branch without one."""
        branch = self.scenario.branches[branch_id]
        if branch.adjudication is None:
            return None
        mods = rules.modifiers_now(branch, self.state, self.env)
        return mods, roll_odds(branch.adjudication, sum(v for _, v in mods))

    def roll_results(self, branch_id: str, option_id: str) -> list[ResultView]:
        """Each result of the branch's adjudication for the option, with its chance now and
        its narrative (placeholders filled in) and effects: what the roll dialog lists."""
        branch = self.scenario.branches[branch_id]
        option = branch.option(option_id)
        if branch.adjudication is None or option is None:
            return []
        mods = rules.modifiers_now(branch, self.state, self.env)
        return [attrs.evolve(r, narrative=self.text(r.narrative))
                for r in result_views(branch.adjudication, option, sum(v for _, v in mods))]

    def fired_signposts(self) -> list[tuple[str, str, int]]:
        """(id, text, turn) of every signpost that has fired, in order."""
        return fired_signposts_at(self.scenario, self.state)

    def state_json(self) -> dict:
        return rules.state_json(self.state, self.env)

    # -- actions
    def _commit(self, action: lr.Record, new_state: GameState, *, message: str,
                roll: Roll | None = None, released=(), new_hash: str | None = None,
                undoes: UndoEntry | None = None) -> Outcome:
        """Log the action (its number, time, turn and state filled in here), then make
        `new_state` the live state. `new_hash` is the state's hash when already known (an
        undo restores a state hashed before); an action that leaves the state as it is (a
        note) reuses the live state's hash. Either way the cost of an action does not depend
        on how long the session is."""
        n = len(self.records)
        if new_hash is None:
            new_hash = self._hash if new_state is self.state else \
                rules.state_hash(new_state, self.env)
        record = lr.to_json(action)         # its keys in order; fill in where it stands
        record.update(n=n, at=self.clock(), turn=new_state.turn, state=new_hash)
        if self.writer:
            record = self.writer.append(record)   # on disk before anything else changes
        if new_state.fired is self.state.fired:
            fired: tuple[str, ...] = ()
        else:
            before_fired = {sid for sid, _ in self.state.fired}
            fired = tuple(sid for sid, _ in new_state.fired if sid not in before_fired)
        if new_state.ending and new_state.ending != self.state.ending:
            message += " — " + self.ending_text(new_state)
        if isinstance(action, UNDOABLE_RECORDS):
            self._undo.append(UndoEntry(n, self.state, self._hash, self.turn_start,
                                        self.turn_start_line))
        if isinstance(action, lr.NextTurn):
            self.turn_start, self.turn_start_line = new_state, n
        if undoes is not None:           # an undo, once it is on disk
            self._undo.pop()
            self.turn_start, self.turn_start_line = undoes.turn_start, undoes.turn_start_line
        self.state = new_state
        self._hash = new_hash
        self.records.append(record)
        if self.writer and len(self.records) % CHECKPOINT_EVERY == 0:
            self.save_checkpoint()
        return Outcome(record, message, roll, tuple(released), fired)

    # -- checkpoints: resuming without replaying the whole log (engine.play.checkpoint)
    def snapshot(self) -> Snapshot:
        """What the session holds beyond its log lines: the state, the turn's start and the
        undo stack."""
        return Snapshot(len(self.records), self.state, self.turn_start, self.turn_start_line,
                        tuple(self._undo))

    def restore(self, snap: Snapshot, records: list[dict] | LazyRecords) -> None:
        """Take up the state of a checkpoint (restored and checked against `records`, the
        log's first `snap.lines` lines); replay then applies the lines after them."""
        self.records = records[:snap.lines] if isinstance(records, LazyRecords) \
            else list(records[:snap.lines])      # lazy records stay undecoded
        self.header = self.records[0]
        self.state, self.turn_start = snap.state, snap.turn_start
        self.turn_start_line = snap.turn_start_line
        self._undo = list(snap.undo)
        self._draws = {}
        for entry in self._undo:      # the turn changes standing (undoable, not undone)
            rec = self.records[entry.n]
            if rec.get("action") == lr.NextTurn.ACTION and isinstance(rec.get("turn"), int):
                for d in rec.get("draws") or ():
                    self._draws[str(d.get("inject"))] = rec["turn"]
        self._hash = rules.state_hash(self.state, self.env)

    def save_checkpoint(self) -> bool:
        """Write the checkpoint beside the log (a cache: a failure is not an error)."""
        if self.writer is None or self.writer.closed:
            return False
        try:
            digest = self.writer.digest()
        except (OSError, LogWriteError):
            return False
        return write_checkpoint(self.writer.path, self.writer.size, digest,
                                self.scenario.logic_hash, self.snapshot(), self.env)

    def _rules(self, fn, *args):
        try:
            return fn(*args)
        except RuleError as e:
            raise SessionError(str(e)) from None

    def choose(self, branch_id: str, option_id: str, rationale: str = "", *,
               sealed: int | None = None) -> Outcome:
        """Record a choice. With sealed moves a cell's choice is sealed first (`seal`) and
        made here when revealed (`sealed` is the seal's action number)."""
        sc = self.scenario
        branch = sc.branches.get(branch_id)
        if sc.sealed_moves and branch is not None and sealed is None \
                and (sealing := sc.cell_of_actor(branch.actor)) is not None:
            raise SessionError(_("{cell}'s moves are sealed: seal this one, then reveal them "
                                 "together").format(cell=sealing.name))
        new = self._rules(rules.choose, self.state, self.env, branch_id, option_id)
        branch = self.scenario.branches[branch_id]
        option = branch.option(option_id)
        assert option is not None             # rules.choose refused an unknown option
        msg = (_("Chose '{option}' in '{branch}' — roll to adjudicate") if new.pending
               else _("Chose '{option}' in '{branch}'")).format(option=option.label,
                                                                branch=branch.title)
        cell = self.scenario.cell_of_actor(branch.actor) if self.scenario.cells else None
        if cell is not None:
            msg = f"{cell.name}: {msg}"
        return self._commit(lr.Choose(branch=branch_id, option=option_id, rationale=rationale,
                                      cell=cell.id if cell is not None else None,
                                      sealed=sealed), new, message=msg)

    # -- sealed moves: each cell seals, all are revealed together, then applied in order
    def this_turn(self) -> list[lr.Record]:
        """The records of this turn that stand (undone ones and undos left out), in log
        order: read back from the end to the turn change, so they cost the turn's length,
        not the session's."""
        undone: set[int] = set()
        out: list[lr.Record] = []
        for i in range(len(self.records) - 1, 0, -1):
            rec = self.record(i)
            assert isinstance(rec, lr.Record)     # only line 1 is a header
            if isinstance(rec, lr.Undo):
                undone.add(rec.undoes)
            elif rec.n not in undone:
                if isinstance(rec, lr.NextTurn):
                    break
                out.append(rec)
        out.reverse()
        return out

    def sealed(self) -> list[lr.Seal]:
        """The seal records of this turn not yet revealed (undone ones left out)."""
        out: list[lr.Seal] = []
        for rec in self.this_turn():
            if isinstance(rec, lr.Reveal):
                out = []
            elif isinstance(rec, lr.Seal):
                out.append(rec)
        return out

    def revealed_queue(self) -> list[lr.Seal]:
        """Revealed seals still to be applied, in the cells' declared order."""
        live = self.this_turn()
        reveal = next((r for r in reversed(live) if isinstance(r, lr.Reveal)), None)
        if reveal is None:
            return []
        done = {r.sealed for r in live if isinstance(r, (lr.Choose, lr.Note))
                and r.sealed is not None}
        seals = {r.n: r for r in live if isinstance(r, lr.Seal)}
        order: dict[str | None, int] = {c.id: i for i, c in enumerate(self.scenario.cells)}
        queue = [seals[n] for n in reveal.seals if n in seals and n not in done]
        return sorted(queue, key=lambda r: order.get(r.cell, len(order)))

    def seal(self, branch_id: str, option_id: str, rationale: str = "") -> Outcome:
        sc = self.scenario
        if not sc.sealed_moves:
            raise SessionError(_("this scenario's cells move in turn: choose instead of "
                                 "sealing"))
        if self.state.ended:
            raise SessionError(_("the session has ended"))
        branch = sc.branches.get(branch_id)
        if branch is None or branch.option(option_id) is None:
            raise SessionError(_("there is no option '{option}' of branch '{branch}'").format(
                option=option_id, branch=branch_id))
        cell = sc.cell_of_actor(branch.actor)
        if cell is None:
            raise SessionError(_("'{branch}' is the white cell's move: choose it directly").format(
                branch=branch.title))
        reason = rules.block_reason(branch, self.state, self.env, words=True)
        if reason:
            raise SessionError(_("'{branch}' cannot be played: {reason}").format(
                branch=branch.title, reason=reason))
        mine = [r for r in self.sealed() if r.cell == cell.id]
        used = sum(1 for m in self.state.moves if sc.cell_of_move(m) == cell)
        if used + len(mine) >= cell.moves_per_turn:
            raise SessionError(_("{cell} has sealed all its moves this turn ({n}); reveal "
                                 "them, or undo one").format(cell=cell.name,
                                                             n=cell.moves_per_turn))
        if any(r.branch == branch_id for r in self.sealed()):
            raise SessionError(_("'{branch}' is already sealed this turn").format(
                branch=branch.title))
        return self._commit(lr.Seal(cell=cell.id, branch=branch_id, option=option_id,
                                    rationale=rationale), self.state,
                            message=_("{cell} sealed a move").format(cell=cell.name))

    def reveal(self) -> Outcome:
        """Reveal every sealed move together; `apply_revealed` then makes them one by one."""
        seals = self.sealed()
        if not seals:
            raise SessionError(_("no move is sealed"))
        cells = []
        for r in seals:
            sealer = self.scenario.cell(r.cell)
            assert sealer is not None         # a sealed move is recorded with its cell's id
            cells.append(sealer.name)
        names = ", ".join(cells)
        return self._commit(lr.Reveal(seals=[r.n for r in seals]), self.state,
                            message=_("Revealed the sealed moves of {cells}").format(cells=names))

    def apply_revealed(self) -> Outcome:
        """Make the next revealed move (cells in their declared order). A move its turn no
        longer allows (an earlier one changed the situation) is set aside with a note."""
        queue = self.revealed_queue()
        if not queue:
            raise SessionError(_("no revealed move is waiting"))
        rec = queue[0]
        branch = self.scenario.branches[rec.branch]
        reason = rules.block_reason(branch, self.state, self.env, words=True)
        if reason and self.state.pending is None:
            cell = self.scenario.cell(rec.cell)
            assert cell is not None           # a sealed move is recorded with its cell's id
            text = _("{cell}'s sealed move '{branch}' cannot be played after the moves revealed "
                     "before it: {reason}").format(cell=cell.name, branch=branch.title,
                                                   reason=reason)
            return self._commit(lr.Note(text=text, sealed=rec.n), self.state, message=text)
        return self.choose(rec.branch, rec.option, rec.rationale, sealed=rec.n)

    def argue(self, cell: str, argument: str, strength: str, counters: Iterable[str] = (),
              ) -> Outcome:
        """A matrix-game argument: `cell` (a cell id; "" without cells) argues that
        something happens and why; other cells' counter-arguments; the facilitator rates its
        strength on the scenario's scale, which gives the target; the dice decide. On
        success the facilitator applies its effects with `override`, the argument as the
        rationale."""
        if not argument.strip():
            raise SessionError(_("the argument is empty: say what happens and why"))
        rules_ = self.scenario.arguments
        target = rules_.target(strength)
        if target is None:
            raise SessionError(_("'{strength}' is not on the strength scale ({scale})").format(
                strength=strength, scale=", ".join(label for label, _n in rules_.scale)))
        new, result = self._rules(rules.argue, self.state, self.env, cell, target)
        arguer = self.scenario.cell(cell) if cell else None
        who = arguer.name if arguer else self.group
        verdict = _("success") if result.success else _("failure")
        return self._commit(lr.Argument(
            cell=cell, argument=argument, counters=[c for c in counters if c.strip()],
            strength=strength, dice=result.dice, faces=list(result.faces),
            total=result.total, target=target, success=result.success), new, roll=result,
            message=_("Argument by {who} ({strength}, {dice} ≥ {target}): {faces} = {total}, "
                      "{verdict}").format(who=who, strength=strength, dice=result.dice,
                                          target=target, faces='+'.join(map(str, result.faces)),
                                          total=result.total, verdict=verdict))

    def roll(self) -> Outcome:
        new, result = self._rules(rules.roll, self.state, self.env)
        assert self.state.pending is not None  # rules.roll refused otherwise
        graded = bool(result.band)       # a graded roll: the band the total fell in
        opposed = not graded and bool(result.against)   # the other pool (target: its total)
        record = lr.Roll(branch=self.state.pending.branch, option=self.state.pending.option,
                         dice=result.dice, faces=list(result.faces),
                         modifiers=[list(m) for m in result.modifiers], total=result.total,
                         band=result.band if graded else None,
                         against_dice=result.against_dice if opposed else None,
                         against=list(result.against) if opposed else None,
                         target=None if graded else result.target,
                         success=None if graded else result.success)
        return self._commit(record, new, message=result.describe(), roll=result)

    def decide(self, success: bool | str, rationale: str = "") -> Outcome:
        """The facilitator adjudicates the pending option instead of rolling: success or
        failure, or for a graded roll the id of a result."""
        if self.state.pending is None:
            raise SessionError(_("no adjudication is waiting"))
        pending = self.state.pending
        new = self._rules(rules.resolve, self.state, self.env, success)
        if isinstance(success, str):
            adjudication = self.scenario.branches[pending.branch].adjudication
            assert adjudication is not None   # a pending option is adjudicated
            band = adjudication.band(success)
            return self._commit(lr.Decide(branch=pending.branch, option=pending.option,
                                          band=success, rationale=rationale), new,
                                message=_("Facilitator decided: {result}").format(
                                    result=band.label if band else success))
        verdict = _("success") if success else _("failure")
        return self._commit(lr.Decide(branch=pending.branch, option=pending.option,
                                      success=success, rationale=rationale), new,
                            message=_("Facilitator decided: {verdict}").format(verdict=verdict))

    def note(self, text: str) -> Outcome:
        if not text.strip():
            raise SessionError(_("the note is empty"))
        return self._commit(lr.Note(text=text), self.state, message=_("Note added"))

    def release(self, inject_id: str, rationale: str = "") -> Outcome:
        new = self._rules(rules.release, self.state, self.env, inject_id)
        title = self.scenario.injects[inject_id].title
        return self._commit(lr.Release(inject=inject_id, rationale=rationale), new,
                            message=_("Released inject '{inject}'").format(inject=title),
                            released=(inject_id,))

    def override(self, variable: str, value: Any, rationale: str = "") -> Outcome:
        """Set a variable by hand. `value` may be text as typed (parsed by the type)."""
        var = self.scenario.variable(variable)
        if var is None:
            raise SessionError(_("there is no state variable '{name}'").format(name=variable))
        if isinstance(value, str):
            try:
                value = var.parse(value)
            except ValueError as e:
                raise SessionError(f"'{variable}': {e}") from None
        new = self._rules(rules.override, self.state, self.env, variable, value)
        actors = self.scenario.actors
        old = var.words(self.state.values[var.index], actors)
        return self._commit(lr.Override(variable=variable,
                                        value=to_json_value(var.type, value),
                                        rationale=rationale), new,
                            message=_("Override: {variable} {old} → {new}").format(
                                variable=var.label or variable, old=old,
                                new=var.words(value, actors)))

    def undo(self) -> Outcome:
        if self.state.ended:
            raise SessionError(_("the session has ended"))
        if not self._undo:
            raise SessionError(_("nothing to undo"))
        entry = self._undo[-1]
        undone = self.records[entry.n]
        return self._commit(lr.Undo(undoes=entry.n), entry.before,
                            message=_("Undid {action}").format(
                                action=describe_action(undone, self.scenario)),
                            new_hash=entry.before_hash, undoes=entry)

    def next_turn(self) -> Outcome:
        if self.scenario.sealed_moves:
            if self.sealed():
                raise SessionError(_("moves are sealed this turn: reveal them first (or undo "
                                     "the seals)"))
            if self.revealed_queue():
                raise SessionError(_("revealed moves are still to be made this turn"))
        new, released, draws = self._rules(rules.next_turn_drawn, self.state, self.env)
        t = self.scenario.turns[new.turn]
        msg = _("Turn {n}: {label}").format(n=t.index, label=t.label)
        if released:
            msg = _("{turn} — released {injects}").format(
                turn=msg, injects=", ".join(self.scenario.injects[i].title for i in released))
        missed = [self.scenario.injects[d.inject].title for d in draws if not d.fired]
        if missed:
            msg += " — " + _("did not happen (chance): {titles}").format(
                titles=", ".join(missed))
        # every chance inject drawn, fired or not (format 2)
        record = lr.NextTurn(released=released,
                             draws=[d.as_json() for d in draws] if draws else None)
        outcome = self._commit(record, new, message=msg, released=released)
        # a turn entered again after an undo draws afresh: forget the earlier entry's draws
        self._draws = {i: t for i, t in self._draws.items() if t != new.turn}
        for d in draws:
            self._draws[d.inject] = new.turn
        return outcome

    def end(self, hotwash: str = "", participants: Iterable[str] | str = (),
            contact: str = "") -> Outcome:
        """End the session, with free hotwash notes, who took part (cells and people, one
        per line) and the exercise's point of contact for the AAR."""
        if self.state.pending is not None:
            title = self.scenario.branches[self.state.pending.branch].title
            raise SessionError(_("roll for '{branch}' before ending (or undo the choice)").format(
                branch=title))
        try:
            people = hw.check_lines(list(participants) if not isinstance(participants, str)
                                    else participants, _("the participants"))
            contact = hw.check_text(contact, _("the point of contact"))
        except hw.DebriefError as e:
            raise SessionError(str(e)) from None
        new = self._rules(rules.end, self.state)
        outcome = self._commit(lr.End(hotwash=hotwash, participants=people or None,
                                      contact=contact or None), new,
                               message=_("Session ended"))
        self.hotwash = hotwash           # only once the end is on disk
        return outcome

    # -- the debrief: observations, the structured hotwash, amendments (no state change)
    def observe(self, objective: str, kind: str, text: str, supports: int | None = None
                ) -> Outcome:
        """Record an observation: a strength or an area for improvement under an objective
        ('' for none), optionally pointing at the logged action that supports it."""
        try:
            objective = hw.check_objective(self.scenario, objective)
            kind = hw.check_kind(kind)
            text = hw.check_text(text, _("the observation"), required=True)
        except hw.DebriefError as e:
            raise SessionError(str(e)) from None
        if supports is not None and (not isinstance(supports, int) or isinstance(supports, bool)
                                     or not 1 <= supports < len(self.records)):
            raise SessionError(_("there is no logged action {n} to support the observation "
                                 "(actions 1–{last})").format(n=repr(supports),
                                                              last=len(self.records) - 1))
        return self._commit(lr.Observe(objective=objective, kind=kind, text=text,
                                       supports=supports), self.state,
                            message=_("Observation added: {kind}").format(
                                kind=_(hw.KINDS[kind])))

    def hotwash_entry(self, objective: str, *, rating: str = "", sustain: str = "",
                      improve: str = "", notes: str = "", plan: Iterable[dict] = ()) -> Outcome:
        """The hotwash for one objective ('' for general points), once the session has ended:
        its rating (P/S/M/U), what to sustain, what to improve, free notes, and the
        improvement-plan items (recommendation, owner, due date). One entry per objective;
        change it later with `amend`."""
        if not self.state.ended:
            raise SessionError(_("the hotwash is recorded once the session has ended"))
        try:
            objective = hw.check_objective(self.scenario, objective)
            record = lr.Hotwash(objective=objective, rating=hw.check_rating(rating),
                                sustain=hw.check_text(sustain, _("what to sustain")),
                                improve=hw.check_text(improve, _("what to improve")),
                                notes=hw.check_text(notes, _("the notes")),
                                plan=hw.check_plan(list(plan)))
        except hw.DebriefError as e:
            raise SessionError(str(e)) from None
        earlier = hw.hotwash_entries(self.records).get(objective)
        if earlier is not None:
            raise SessionError(_("the hotwash for this objective was recorded at action {n}; "
                                 "amend that entry instead").format(n=earlier))
        return self._commit(record, self.state, message=_("Hotwash entry recorded"))

    def amend(self, target: int, field: str, value: Any, reason: str = "") -> Outcome:
        """Amend a logged rationale, note, observation or hotwash entry. The original stays in
        the log; the amendment is a new action the report shows beside it."""
        try:
            value = hw.check_amendment(self.records, target, field, value)
            reason = hw.check_text(reason, _("the reason"))
        except hw.DebriefError as e:
            raise SessionError(str(e)) from None
        return self._commit(lr.Amend(amends=target, field=field, value=value, reason=reason),
                            self.state, message=_("Amended action {n} ({field})").format(
                                n=target, field=field))

    # -- applying a logged record (replay and resume)
    def apply_record(self, rec: dict | lr.Record) -> Outcome:
        """Re-perform a logged action; SessionError if it no longer applies."""
        record = lr.from_json(rec) if isinstance(rec, dict) else rec
        try:
            return self._perform(record)
        except (KeyError, TypeError, ValueError) as e:
            raise SessionError(_("the record is incomplete or malformed ({problem})").format(
                problem=e)) from None

    def _perform(self, rec: lr.AnyRecord) -> Outcome:
        match rec:
            case lr.Choose(branch=branch, option=option, rationale=why, sealed=sealed):
                return self.choose(branch, option, why, sealed=sealed)
            case lr.Roll():
                return self.roll()
            case lr.Decide(band=band, rationale=why) if band is not None:
                return self.decide(str(band), why)
            case lr.Decide(success=success, rationale=why) if success is not None:
                return self.decide(bool(success), why)
            case lr.Decide():
                raise SessionError(_("the record is incomplete or malformed ({problem})").format(
                    problem=_("no '{field}'").format(field="success")))
            case lr.Note(sealed=sealed) if sealed is not None:
                return self.apply_revealed()
            case lr.Note(text=text):
                return self.note(text)
            case lr.Seal(branch=branch, option=option, rationale=why):
                return self.seal(branch, option, why)
            case lr.Reveal():
                return self.reveal()
            case lr.Argument(cell=cell, argument=argument, strength=strength, counters=counters):
                return self.argue(str(cell), argument, strength, counters or [])
            case lr.Release(inject=inject, rationale=why):
                return self.release(inject, why)
            case lr.Override(variable=name, value=value, rationale=why):
                var = self.scenario.variable(name)
                if var is None:
                    raise SessionError(_("there is no state variable '{name}'").format(
                        name=name))
                return self.override(name, from_json_value(var.type, value), why)
            case lr.Undo():
                return self.undo()
            case lr.NextTurn():
                return self.next_turn()
            case lr.End(hotwash=notes, participants=people, contact=contact):
                return self.end(notes, people or (), contact or "")
            case lr.Observe(objective=objective, kind=kind, text=text, supports=supports):
                return self.observe(objective, kind, text, supports)
            case lr.Hotwash():
                return self.hotwash_entry(rec.objective, rating=rec.rating, sustain=rec.sustain,
                                          improve=rec.improve, notes=rec.notes, plan=rec.plan)
            case lr.Amend(amends=target, field=field, value=value, reason=reason):
                return self.amend(target, field, value, reason)
        raise SessionError(_("unknown action {action}").format(action=repr(
            getattr(rec, "action", "header"))))


def band_label(scenario: Scenario | None, rec: Mapping[str, Any] | lr.Roll | lr.Decide) -> str:
    """The label of the result a logged graded roll or decision gave (its id without the
    scenario, or when the scenario no longer has it)."""
    if isinstance(rec, Mapping):
        band, branch_id = str(rec.get("band")), str(rec.get("branch"))
    else:
        band, branch_id = str(rec.band), rec.branch
    branch = scenario.branches.get(branch_id) if scenario is not None else None
    adj = branch.adjudication if branch is not None else None
    found = adj.band(band) if adj is not None else None
    return found.label if found is not None else band


def describe_action(rec: Mapping[str, Any] | lr.AnyRecord, scenario: Scenario | None = None
                    ) -> str:
    """One line for a logged action, for log panels and reports. With the scenario, branches,
    options, injects and variables are named by their titles and labels (what the room
    reads); without it, by their ids (what an author reads)."""
    typed = lr.as_record(rec)
    if typed is None:
        return str(cast(Mapping[str, Any], rec).get("action"))
    rec = typed
    match rec:
        case lr.Choose():
            return _("choice {branch} → {option}").format(
                branch=_branch(scenario, rec.branch), option=_option(scenario, rec))
        case lr.Roll():
            return _on_branch(scenario, rec.branch, _describe_roll(rec, scenario))
        case lr.Decide(band=band) if band is not None:
            return _on_branch(scenario, rec.branch, _("decision: {result}").format(
                result=band_label(scenario, rec)))
        case lr.Decide(success=success):
            return _on_branch(scenario, rec.branch, _("decision: success") if success
                              else _("decision: failure"))
        case lr.Note(text=text):
            return _("note: {text}").format(text=text)
        case lr.Argument():
            cell = scenario.cell(str(rec.cell)) if scenario is not None else None
            who = cell.name if cell is not None else (rec.cell or _("the group"))
            return (_("argument by {who} ({strength}): {argument} — success") if rec.success
                    else _("argument by {who} ({strength}): {argument} — failure")).format(
                who=who, strength=rec.strength, argument=rec.argument)
        case lr.Release(inject=inject):
            return _("inject {inject}").format(inject=_inject(scenario, inject))
        case lr.Override(variable=variable, value=value):
            var = scenario.variable(str(variable)) if scenario is not None else None
            name = (var.label or var.id) if var is not None else variable
            return _("override {variable} = {value}").format(
                variable=name, value=_show_json(value, var, scenario))
        case lr.Seal(cell=cell_id):
            cell = scenario.cell(str(cell_id)) if scenario is not None else None
            return _("{cell} sealed a move").format(cell=cell.name if cell else cell_id)
        case lr.Reveal(seals=seals):
            return _("sealed moves revealed ({n})").format(n=len(seals or []))
        case lr.Undo(undoes=undoes):
            return _("undo of action {n}").format(n=undoes)
        case lr.NextTurn():
            return _describe_turn(rec, scenario)
        case lr.End():
            return _("end of session")
        case lr.Observe(kind=kind, text=text):
            kind = str(kind)
            return _("observation ({kind}): {text}").format(
                kind=_(hw.KINDS[kind]) if kind in hw.KINDS else kind, text=text)
        case lr.Hotwash(objective=objective):
            return _("hotwash: {objective}").format(objective=objective or _("general"))
        case lr.Amend(amends=amends, field=field, value=value):
            text = _("amendment of action {n} ({field})").format(n=amends, field=field)
            return text + f": {value}" if isinstance(value, str) else text
    return str(getattr(rec, "action", None))


def _describe_roll(rec: lr.Roll, scenario: Scenario | None) -> str:
    faces = "+".join(map(str, rec.faces or []))
    mods = sum(v for _, v in rec.modifiers or [])
    if rec.band is not None:
        return _("roll {dice} [{faces}] {mods} = {total}: {result}").format(
            dice=rec.dice, faces=faces, mods=f"{mods:+d}", total=rec.total,
            result=band_label(scenario, rec))
    if rec.against is not None:           # an opposed roll: the other pool's faces
        return _("roll {dice} [{faces}] {mods} = {total} vs {against_dice} [{against}] = "
                 "{other}: {result}").format(
            dice=rec.dice, faces=faces, mods=f"{mods:+d}", total=rec.total,
            against_dice=rec.against_dice, against="+".join(map(str, rec.against)),
            other=rec.target, result=_("success") if rec.success else _("failure"))
    return (_("roll {dice} [{faces}] {modifiers} = {total} vs {target}: success")
            if rec.success else
            _("roll {dice} [{faces}] {modifiers} = {total} vs {target}: failure")).format(
        dice=rec.dice, faces=faces, modifiers=f"{mods:+d}", total=rec.total, target=rec.target)


def _describe_turn(rec: lr.NextTurn, scenario: Scenario | None) -> str:
    text = _("turn {n}").format(n=rec.turn)
    if scenario is not None and isinstance(rec.turn, int) and 0 <= rec.turn < len(scenario.turns):
        text += f": {scenario.turns[rec.turn].label}"
    if rec.released:
        text += " " + _("(released {injects})").format(
            injects=", ".join(_inject(scenario, i) for i in rec.released))
    missed = [d for d in rec.draws or () if isinstance(d, dict) and not d.get("fired")]
    if missed:
        text += " " + _("(by chance, did not happen: {injects})").format(
            injects=", ".join(f"{_inject(scenario, d.get('inject'))} {d.get('chance')}"
                              for d in missed))
    return text


def _on_branch(scenario: Scenario | None, branch: str, text: str) -> str:
    """With the scenario, `text` after the branch's title."""
    return f"{_branch(scenario, branch)}: {text}" if scenario is not None else text


def _branch(scenario: Scenario | None, branch_id: str) -> str:
    b = scenario.branches.get(str(branch_id)) if scenario is not None else None
    return _("'{title}'").format(title=b.title) if b is not None else str(branch_id)


def _option(scenario: Scenario | None, rec: lr.Choose) -> str:
    b = scenario.branches.get(str(rec.branch)) if scenario is not None else None
    o = b.option(str(rec.option)) if b is not None else None
    return _("'{title}'").format(title=o.label) if o is not None else str(rec.option)


def _inject(scenario: Scenario | None, inject_id) -> str:
    i = scenario.injects.get(str(inject_id)) if scenario is not None else None
    return f"'{i.title}'" if i is not None else str(inject_id)


def _show_json(value, var=None, scenario: Scenario | None = None) -> str:
    """A logged value as the state panel shows it: in words (labels) with the variable, else
    true/false, {a, b}, names and numbers."""
    if var is not None and scenario is not None:
        try:
            return var.words(from_json_value(var.type, value), scenario.actors)
        except (ValueError, TypeError, KeyError, IndexError):
            pass        # a malformed logged value: shown as logged
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "{" + ", ".join(map(str, value)) + "}"
    return str(value)
