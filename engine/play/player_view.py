"""What the room sees: the player view of a session, computed from its log alone.

`player_view(log)` replays the log (read only: nothing is written) and returns the title,
the turn and its date, when the session and the turn began, the situation by label, the
moves played this turn by cell, the latest inject in full and the signposts fired. Odds,
dice and modifiers are left out unless `show_odds` is set. A log that is empty, torn or
being resumed gives a view anyway (with a notice); it never raises for bad content.
"""

from __future__ import annotations

from pathlib import Path

import attrs

from engine.diagnostics import DiagnosticError
from engine.format.tables import load_scenario_in
from engine.i18n import Messages, _, current_language
from engine.model import Scenario
from engine.play import records as lr
from engine.play.clock import live_records, turn_started_at
from engine.play.dice import roll_odds
from engine.play.log import LogRead, read_log
from engine.play.replay import LOG_EDITED, UNREADABLE, VERIFIED, ReplayReport, Step, replay
from engine.play.rules import modifiers_now
from engine.play.session import SessionError, band_label, describe_action
from engine.play.views import VariableView, fired_signposts_at, variable_views_at


@attrs.frozen
class MoveLine:
    cell: str
    text: str
    rationale: str = ""


@attrs.frozen
class InjectCard:
    title: str
    narrative: str
    turn: int


@attrs.frozen
class PlayerView:
    title: str
    group: str = ""
    turn: int = 0
    last_turn: int = 0
    turn_label: str = ""
    turn_date: str = ""
    started: str = ""                    # ISO time the session began
    turn_started: str = ""               # ISO time this turn began
    ended: bool = False
    situation: tuple[VariableView, ...] = ()
    moves: tuple[tuple[str, tuple[MoveLine, ...]], ...] = ()   # (cell, its moves this turn)
    inject: InjectCard | None = None
    signposts: tuple[tuple[str, int], ...] = ()               # (text, turn), in order
    waiting: str = ""                    # the roll waiting, if any (odds only when shown)
    notice: str = ""                     # a problem with the log, for the facilitator
    time_box: int | None = None          # minutes allowed for this turn, if any


def player_view(log_path: str | Path, scenario: Scenario | None = None, *,
                show_odds: bool = False) -> PlayerView:
    """The player view of the session in `log_path` as it stands now."""
    if scenario is None:
        scenario, problem = scenario_of_log(log_path)
        if scenario is None:
            return PlayerView("spillover", notice=problem)
    return view_of_replay(replay(log_path, scenario), show_odds=show_odds)


class Follower:
    """The player view of a log that grows: after the first full replay, each refresh
    replays only the lines appended since (when the earlier ones are unchanged, line for
    line by their hashes); anything else — an edit, a torn line, an undone resume — falls
    back to a full replay. Read only, like `player_view`."""

    def __init__(self, log_path: str | Path, scenario: Scenario, *, show_odds: bool = False):
        self.log_path = log_path
        self.scenario = scenario
        self.show_odds = show_odds
        self.report: ReplayReport | None = None
        self.full_replays = 0            # for tests and benchmarks

    def view(self) -> PlayerView:
        log = read_log(self.log_path)
        report = self._more(log) if self.report is not None else None
        if report is None:
            report = replay(self.log_path, self.scenario)
            self.full_replays += 1
        self.report = report
        return view_of_replay(report, show_odds=self.show_odds)

    def _more(self, log: LogRead) -> ReplayReport | None:
        prev = self.report
        if (prev is None or prev.status != VERIFIED or prev.session is None or log.header is None
                or prev.log.header is None        # never, for a verified replay
                or log.chain_broken_at or log.diagnostics and not log.torn
                or log.header.get("hash") != prev.log.header.get("hash")):
            return None
        done = len(prev.steps) - 1
        if len(log.actions) < done or any(
                a.get("hash") != b.get("hash") for a, b in zip(log.actions, prev.log.actions)):
            return None
        session = prev.session
        steps = list(prev.steps)
        for i, rec in enumerate(log.actions[done:], start=done + 2):
            try:
                outcome = session.apply_record(rec)
            except SessionError:
                return None
            if outcome.record["state"] != rec.get("state") or (
                    outcome.roll is not None and list(outcome.roll.faces) != rec.get("faces")):
                return None
            steps.append(Step(i, rec, session.state, session.env))
        session.records = [log.header, *log.actions]
        return attrs.evolve(prev, log=log, steps=tuple(steps))


def scenario_of_log(log_path: str | Path) -> tuple[Scenario | None, str]:
    """The scenario a log's header names, loaded; or None and why not."""
    read = read_log(log_path)
    if read.header is None:
        return None, _first_problem(read.diagnostics) or _("waiting for the session to start")
    path = str(read.header["scenario"].get("path", ""))
    try:          # in the language the session is played in (its header says which)
        return load_scenario_in(path, read.header["scenario"].get("lang")), ""
    except DiagnosticError as e:
        first = e.diagnostics[0].format() if e.diagnostics else ""
        return None, _("the session's scenario {path} cannot be loaded: {problem}").format(
            path=path, problem=first)


def view_of_replay(report: ReplayReport, *, show_odds: bool = False) -> PlayerView:
    scenario = report.scenario
    if report.status == UNREADABLE or scenario is None or not report.steps:
        title = scenario.title if scenario else "spillover"
        return PlayerView(title, notice=report.banner())
    header = report.log.header or {}
    state = report.steps[-1].state
    actions = [s.record for s in report.steps[1:]]
    live = live_records(actions)
    turn = scenario.turns[state.turn]
    group = str(header.get("group", ""))

    turn_started = turn_started_at(header, actions, state.turn)

    start_of_turn = report.steps[0].state
    for step in report.steps:
        if step.state.turn == state.turn and lr.kind(step.record) is lr.NextTurn:
            start_of_turn = step.state
    # the records that stand, this turn's typed (replayed: each decoded once already)
    this_turn = [lr.from_json(r) for r in live if r.get("turn") == state.turn]
    moves = _moves(this_turn, scenario, group, show_odds)

    inject = None
    for line in reversed(live):
        match lr.from_json(line):
            case lr.Release(inject=iid, turn=at):
                released = [iid]
            case lr.NextTurn(released=logged, turn=at):
                released = list(logged or [])
            case _:
                continue
        released = [i for i in released if i in scenario.injects]
        if released:
            i = scenario.injects[released[-1]]
            inject = InjectCard(i.title, i.narrative, int(at))
            break

    waiting = ""
    if state.pending is not None:
        branch = scenario.branches[state.pending.branch]
        waiting = _("A roll decides '{branch}'").format(branch=branch.title)
        adj = branch.adjudication
        if show_odds and adj is not None:
            env = report.session.env if report.session else None
            if env is not None:
                mods = modifiers_now(branch, state, env)
                pct = Messages(current_language()).percent
                if adj.graded:        # each result's chance
                    odds = {r: q for q, r in roll_odds(adj, sum(v for _, v in mods))}
                    waiting += f" ({adj.dice}: " + ", ".join(
                        f"{b.label} {pct(round(float(odds.get(b.id, 0)), 2))}"
                        for b in adj.bands) + ")"
                else:
                    p = next((q for q, r in roll_odds(adj, sum(v for _, v in mods)) if r is True),
                             0)
                    if adj.opposed:
                        waiting += " " + _("({dice} vs {against}, chance {chance})").format(
                            dice=adj.dice, against=adj.against_dice,
                            chance=pct(round(float(p), 2)))
                    else:
                        waiting += " " + _("({dice} ≥ {target}, chance {chance})").format(
                            dice=adj.dice, target=adj.target, chance=pct(round(float(p), 2)))

    notice = ""
    if report.status == LOG_EDITED or report.problems or report.log.torn:
        notice = report.banner()
    return PlayerView(
        scenario.title, group, state.turn, scenario.last_turn, turn.label, turn.date,
        str(header.get("started", "")), turn_started, state.ended,
        tuple(variable_views_at(scenario, state, start_of_turn)),
        tuple((cell, tuple(lines)) for cell, lines in moves.items()), inject,
        tuple((text, t) for _sid, text, t in fired_signposts_at(scenario, state)),
        waiting, notice, time_box_of(header, scenario))


def time_box_of(header: dict, scenario: Scenario) -> int | None:
    """Minutes per turn: as set at setup (in the log's header), else the scenario's."""
    box = header.get("time_box")
    return box if isinstance(box, int) and not isinstance(box, bool) and box > 0 \
        else scenario.time_box


def _moves(records: list[lr.AnyRecord], scenario: Scenario, group: str,
           show_odds: bool) -> dict[str, list[MoveLine]]:
    """This turn's moves by who made them; a sealed move stays sealed until revealed."""
    moves: dict[str, list[MoveLine]] = {}
    revealed = {n for r in records if isinstance(r, lr.Reveal) for n in r.seals or []}
    for rec in records:
        match rec:
            case lr.Seal(cell=cell_id, n=n):
                if n not in revealed:       # what is sealed stays sealed
                    named = scenario.cell(str(cell_id))
                    who = named.name if named is not None else str(cell_id)
                    moves.setdefault(who, []).append(MoveLine(who, _("a move is sealed")))
            case lr.Note(sealed=sealed, text=text) if sealed is not None:
                white = _("White cell")
                moves.setdefault(white, []).append(MoveLine(white, str(text)))
            case lr.Choose() | lr.Roll() | lr.Decide() | lr.Release() | lr.Override() \
                    | lr.Argument():
                mover = getattr(rec, "cell", None)
                named = scenario.cell(str(mover)) if mover else None
                cell = (named.name if named is not None else
                        _("White cell") if scenario.cells else group)
                text = (_roll_outcome_only(rec, scenario)
                        if isinstance(rec, lr.Roll) and not show_odds
                        else describe_action(rec, scenario))
                moves.setdefault(cell, []).append(
                    MoveLine(cell, text, str(getattr(rec, "rationale", ""))))
    return moves


def _roll_outcome_only(rec: lr.Roll, scenario: Scenario) -> str:
    branch = scenario.branches.get(str(rec.branch))
    title = branch.title if branch else _("the move")
    if rec.band is not None:
        return _("'{title}': {result} (rolled)").format(title=title,
                                                        result=band_label(scenario, rec))
    return (_("'{branch}': success (rolled)") if rec.success
            else _("'{branch}': failure (rolled)")).format(branch=title)


def _first_problem(diagnostics) -> str:
    for d in diagnostics:
        if d.severity == "error":
            return d.message
    return ""
