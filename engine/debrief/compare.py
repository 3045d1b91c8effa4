"""Compare several groups' sessions of the same scenario, side by side.

Each log is replayed against its scenario; only effective decisions count: actions that a
later undo took back (and the undos themselves) are dropped, and only actions the replay
confirms are used (a log that does not verify is flagged, and compared up to where it
replays). Logs of different scenarios are refused; logs of different versions of the same
scenario (another content hash) are compared with a warning at the top.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import combinations
from pathlib import Path
from typing import Any

import attrs

from engine.debrief.aar import GENERAL_TITLE, build_debrief
from engine.debrief.cells import CellMove, CellMoves, by_cell, cell_moves, cell_name
from engine.debrief.charts import Bar, PairBar
from engine.debrief.render import render
from engine.debrief.report import amended_rationales, effective_actions
from engine.i18n import _, current_language, ngettext
from engine.model import Scenario
from engine.play import records as lr
from engine.play.replay import VERIFIED, ReplayReport, replay, unreadable_reason
from engine.play.session import band_label
from engine.play.views import readable_value

MAX_PAIRS_GROUPS = 5     # up to this many logs every pair is compared; beyond, each vs the first


class CompareError(Exception):
    """The logs cannot be compared. `usage` is true for a request that is wrong in itself
    (logs of different scenarios, fewer than two logs)."""

    def __init__(self, message: str, usage: bool = True):
        super().__init__(message)
        self.usage = usage


@attrs.frozen
class Decision:
    n: int                      # action number in its log
    turn: int
    branch: str                 # "" for a matrix-game argument
    option: str
    rationale: str = ""
    outcome: str = ""           # "success (roll 9 vs 7)", "failure (facilitator)", or ""
    cell: str = ""              # the cell that moved ("" the white cell, or the group)
    argument: str = ""          # an argument's text
    strength: str = ""          # an argument's rated strength

    @property
    def key(self) -> tuple[int, str, str, str, str, str, str]:
        """What must match for two groups not to have diverged: the same option (or the same
        argument by the same cell, rated the same) in the same turn, and the same adjudicated
        result (success/failure) where there was one."""
        return (self.turn, self.cell, self.branch, self.option, self.argument, self.strength,
                self.outcome.split(" ", 1)[0])


@attrs.frozen
class Run:
    label: str                  # the group, made unique
    path: str
    group: str
    scenario_hash: str
    status: str
    banner: str
    actions: int                # logged
    confirmed: int              # replayed
    decisions: tuple[Decision, ...]
    final: dict                 # variable id -> shown value
    fired: tuple[tuple[str, int], ...]
    ended: bool
    turn: int
    objectives: tuple = ()      # ObjectiveReport per objective (engine.debrief.aar)
    cells: tuple[CellMoves, ...] = ()   # each cell's moves and arguments


@attrs.frozen
class Divergence:
    a: str
    b: str
    index: int | None           # 1-based position in the decision sequence; None: identical
    a_decision: Decision | None
    b_decision: Decision | None
    common: int                 # decisions shared before the divergence


@attrs.frozen
class Comparison:
    scenario_id: str
    scenario_title: str
    scenario: Scenario | None
    runs: tuple[Run, ...]
    warnings: tuple[str, ...]
    divergences: tuple[Divergence, ...]
    pairwise: bool              # every pair (True) or each against the first (False)
    baseline: dict              # variable id -> shown initial value

    def counts(self) -> list[tuple[str, str, dict[str, int]]]:
        """(branch, option, {run label: times taken}) for every option of every played branch."""
        taken: dict[tuple[str, str], dict[str, int]] = {}
        for run in self.runs:
            for d in run.decisions:
                if not d.branch:
                    continue            # an argument: no option of the scenario's
                taken.setdefault((d.branch, d.option), {}).setdefault(run.label, 0)
                taken[(d.branch, d.option)][run.label] += 1
        played = {b for b, _ in taken}
        rows = []
        if self.scenario is not None:
            for b in self.scenario.branches.values():
                if b.id in played:
                    for o in b.options:
                        rows.append((b.id, o.id, taken.get((b.id, o.id), {})))
        listed = {(b, o) for b, o, _ in rows}
        rows += [(b, o, c) for (b, o), c in sorted(taken.items()) if (b, o) not in listed]
        return rows

    def never_played(self) -> list[str]:
        if self.scenario is None:
            return []
        played = {d.branch for r in self.runs for d in r.decisions}
        return [b.id for b in self.scenario.branches.values() if b.id not in played]


# ---------------------------------------------------------------------------- building

def _decisions(rep: ReplayReport) -> list[Decision]:
    steps = rep.steps
    confirmed = [s.record for s in steps[1:]]
    turn_of = {s.record.get("n"): s.state.turn for s in steps[1:]}
    # a rationale amended after the fact counts as amended (the report shows both)
    amended = {n: _("{text} (amended)").format(text=value)
               for n, value in amended_rationales(confirmed).items()}
    out: list[Decision] = []
    pending: int | None = None
    for line in effective_actions(confirmed):
        rec = lr.from_json(line)        # a replayed line: decoded once already
        match rec:
            case lr.Choose():
                out.append(Decision(rec.n, turn_of.get(rec.n, rec.turn), str(rec.branch),
                                    str(rec.option),
                                    str(amended.get(rec.n, rec.rationale) or ""),
                                    cell=str(rec.cell or "")))
                pending = len(out) - 1
            case lr.Argument():
                verdict = "success" if rec.success else "failure"
                out.append(Decision(rec.n, turn_of.get(rec.n, rec.turn), "", "",
                                    outcome=f"{verdict} (roll {rec.total} vs {rec.target})",
                                    cell=str(rec.cell or ""),
                                    argument=" ".join(str(rec.argument).split()),
                                    strength=str(rec.strength)))
            case lr.Roll() | lr.Decide() if pending is not None:
                why = amended.get(rec.n, getattr(rec, "rationale", None))
                out[pending] = attrs.evolve(out[pending],
                                            outcome=_adjudication(rep.scenario, rec, why))
                pending = None
    return out


def _adjudication(scenario: Scenario | None, rec: lr.Roll | lr.Decide, why: Any) -> str:
    """How a contested choice was adjudicated: the roll's result or the facilitator's."""
    if rec.band is not None:                 # a graded roll: its result by name
        result = band_label(scenario, rec)
        if isinstance(rec, lr.Roll):
            return _("{result} (roll {total})").format(result=result, total=rec.total)
        return (_("{result} (facilitator: {why})").format(result=result, why=why) if why
                else _("{result} (facilitator)").format(result=result))
    if isinstance(rec, lr.Roll):
        return (_("success (roll {total} vs {target})") if rec.success
                else _("failure (roll {total} vs {target})")).format(total=rec.total,
                                                                    target=rec.target)
    if why:
        return (_("success (facilitator: {why})") if rec.success
                else _("failure (facilitator: {why})")).format(why=why)
    return _("success (facilitator)") if rec.success else _("failure (facilitator)")


def _unique_labels(groups: list[str], paths: list[Path]) -> list[str]:
    labels = []
    for g, p in zip(groups, paths):
        label = g or p.stem
        if groups.count(g) > 1 or not g:
            label = f"{g} [{p.stem}]" if g else p.stem
        labels.append(label)
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


def _diverge(a: Run, b: Run) -> Divergence:
    for i, (x, y) in enumerate(zip(a.decisions, b.decisions)):
        if x.key != y.key:
            return Divergence(a.label, b.label, i + 1, x, y, i)
    n = min(len(a.decisions), len(b.decisions))
    if len(a.decisions) == len(b.decisions):
        return Divergence(a.label, b.label, None, None, None, n)
    return Divergence(a.label, b.label, n + 1,
                      a.decisions[n] if len(a.decisions) > n else None,
                      b.decisions[n] if len(b.decisions) > n else None, n)


def compare(log_paths: Iterable[str | Path], scenario: Scenario | None = None) -> Comparison:
    """Replay and compare sessions of one scenario. Raises CompareError."""
    paths = [Path(p) for p in log_paths]
    if len(paths) < 2:
        raise CompareError(_("compare needs at least two session logs"))
    reps: list[ReplayReport] = []
    headers: list[dict] = []                  # each log's header (every log here has one)
    for p in paths:
        rep = replay(p, scenario)
        if rep.log.header is None:
            raise CompareError(_("cannot read {path}: {reason}").format(
                path=p, reason=unreadable_reason(rep)), usage=False)
        reps.append(rep)
        headers.append(rep.log.header)
    ids = [str((h.get("scenario") or {}).get("id", "")) for h in headers]
    if len(set(ids)) > 1:
        listing = ", ".join(_("{path} is '{id}'").format(path=p, id=i) for p, i in zip(paths, ids))
        raise CompareError(_("these logs are of different scenarios and cannot be compared "
                             "({listing})").format(listing=listing))
    if scenario is not None and ids[0] != scenario.id:
        raise CompareError(_("the logs are of scenario '{logged}', but --scenario is "
                             "'{given}'").format(logged=ids[0], given=scenario.id))
    warnings: list[str] = []
    # The logic hash where every log has one: sessions in different languages compare cleanly.
    key = "logic" if all("logic" in (h.get("scenario") or {}) for h in headers) else "hash"
    hashes = [str((h.get("scenario") or {}).get(key, "")) for h in headers]
    groups = [str(h.get("group", "")) for h in headers]
    labels = _unique_labels(groups, paths)
    if len(set(hashes)) > 1:
        listing = "; ".join(f"{lab}: {h[:12]}" for lab, h in zip(labels, hashes))
        warnings.append(_("The logs were played on different versions of the scenario (content "
                          "hashes {listing}). Compared anyway: branches may have changed between "
                          "them.").format(listing=listing))
    sc = next((r.scenario for r in reps if r.scenario is not None), None)
    for lab, rep in zip(labels, reps):
        n_conf, n_all = max(len(rep.steps) - 1, 0), len(rep.log.actions)
        if rep.status != VERIFIED or not rep.log.ok:
            text = f"{lab}: {rep.banner()}"
            if n_conf < n_all:
                text += " — " + _("compared up to action {n} of {total}").format(n=n_conf,
                                                                                total=n_all)
            warnings.append(text)
    runs = []
    baseline: dict = {}
    for lab, p, rep, header in zip(labels, paths, reps, headers):
        final: dict = {}
        fired: tuple[tuple[str, int], ...] = ()
        ended, turn = False, 0
        rsc = rep.scenario
        if rep.steps and rsc is not None:
            last = rep.steps[-1].state
            final = {v.id: readable_value(v, last.values[v.index], rsc.actors)
                     for v in rsc.variables}
            if not baseline:
                first = rep.steps[0].state
                baseline = {v.id: readable_value(v, first.values[v.index], rsc.actors)
                            for v in rsc.variables}
            fired, ended, turn = last.fired, last.ended, last.turn
        confirmed = [st.record for st in rep.steps[1:]]
        amended: dict[object, Any] = dict(amended_rationales(confirmed))
        moves = cell_moves(effective_actions(confirmed),
                           {st.record.get("n"): st.state.turn for st in rep.steps[1:]}, rsc,
                           amended)
        runs.append(Run(lab, str(p), str(header.get("group", "")),
                        str((header.get("scenario") or {}).get("hash", "")), rep.status,
                        rep.banner(), len(rep.log.actions), max(len(rep.steps) - 1, 0),
                        tuple(_decisions(rep)), final, tuple(fired), ended, turn,
                        build_debrief(confirmed, rsc, lambda r: "").objectives,
                        by_cell(moves, rsc)))
    pairwise = len(runs) <= MAX_PAIRS_GROUPS
    pairs = combinations(runs, 2) if pairwise else ((runs[0], r) for r in runs[1:])
    divergences = tuple(_diverge(a, b) for a, b in pairs)
    header0 = headers[0].get("scenario") or {}
    return Comparison(ids[0], sc.title if sc else str(header0.get("title", ids[0])), sc,
                      tuple(runs), tuple(warnings), divergences, pairwise, baseline)


# ---------------------------------------------------------------------------- rendering

def _choice(sc: Scenario | None, d: Decision | None) -> str:
    if d is None:
        return _("no further decision")
    if not d.branch:
        text = _("argument by {cell}: '{argument}' ({strength})").format(
            cell=cell_name(sc, d.cell), argument=d.argument, strength=d.strength)
        return text + (f" → {d.outcome}" if d.outcome else "")
    b = sc.branches.get(d.branch) if sc else None
    o = b.option(d.option) if b else None
    text = _("'{option}' in '{branch}'").format(option=o.label if o else d.option,
                                                 branch=b.title if b else d.branch)
    return text + (f" → {d.outcome}" if d.outcome else "")


def _line(group: str, d: Decision | None, choice: str) -> str:
    """'Blue (action 5, turn 1): 'Push' in 'Japan presses…'' (a divergence, one side)."""
    if d is None:
        return _("{group}: {choice}").format(group=group, choice=choice)
    return _("{group} (action {n}, turn {turn}): {choice}").format(group=group, n=d.n,
                                                                    turn=d.turn, choice=choice)


def _turn_label(sc: Scenario | None, turn: int) -> str:
    if sc and 0 <= turn < len(sc.turns):
        return f"{turn} ({sc.turns[turn].label})"
    return str(turn)


@attrs.frozen
class _Said:
    """One divergence in words, for the templates."""

    d: Divergence
    turn: str
    a_line: str
    b_line: str


def _titles(sc: Scenario | None, bid: str, oid: str) -> tuple[str, str]:
    b = sc.branches.get(bid) if sc else None
    o = b.option(oid) if b else None
    return (b.title if b else bid), (o.label if o else oid)


def _context(c: Comparison) -> dict:
    """What both templates show, worked out once: titles instead of ids, readable values."""
    sc = c.scenario
    said = []
    for d in c.divergences:
        if d.index is None:
            said.append(_Said(d, "", "", ""))
            continue
        a, b = d.a_decision, d.b_decision
        turn = a.turn if a else b.turn if b else 0
        said.append(_Said(
            d, _turn_label(sc, turn),
            _line(d.a, a, _choice(sc, a)), _line(d.b, b, _choice(sc, b))))
    counts = []
    bars = []
    last_branch = None
    for bid, oid, per in c.counts():
        bt, ot = _titles(sc, bid, oid)
        counts.append((bt, ot, [per.get(r.label, 0) for r in c.runs], sum(per.values()), len(per)))
        if bid != last_branch:
            bars.append(Bar(bt, 0, 0, (), heading=True))
            last_branch = bid
        bars.append(Bar(ot, len(per), len(c.runs),
                        tuple(r.label for r in c.runs if per.get(r.label))))
    pairs = []
    for d in c.divergences:
        ra = next(r for r in c.runs if r.label == d.a)
        rb = next(r for r in c.runs if r.label == d.b)
        total = max(len(ra.decisions), len(rb.decisions))
        if d.index is None:
            where = _("never diverged")
        else:
            first = d.a_decision or d.b_decision
            assert first is not None          # where two runs diverge, one has a decision
            where = _("diverged at decision {n}, turn {turn}").format(
                n=d.index, turn=_turn_label(sc, first.turn))
        pairs.append(PairBar(d.a, d.b, d.common, total, where))
    finals = []
    if sc is not None:
        for v in sc.variables:
            vals = [r.final.get(v.id, "—") for r in c.runs]
            finals.append((v.label or v.id, c.baseline.get(v.id, "—"), vals, len(set(vals)) > 1))
    texts = sc.signpost_texts() if sc is not None else {}
    order: list[str] = []
    for r in c.runs:
        for sid, _turn in r.fired:
            if sid not in order:
                order.append(sid)
    signposts = [(texts.get(sid, sid), [next((_("turn {n}").format(n=t)
                                              for s, t in r.fired if s == sid), "—")
                                        for r in c.runs]) for sid in order]
    played: list[str] = []
    for r in c.runs:
        for dec in r.decisions:
            if dec.branch and dec.branch not in played:
                played.append(dec.branch)
    if sc is not None:
        rank = {b: i for i, b in enumerate(sc.branches)}
        played.sort(key=lambda b: rank.get(b, len(rank)))
    rationales = []
    for bid in played:
        rows = []
        for r in c.runs:
            ds = [d for d in r.decisions if d.branch == bid]
            rows.append((r.label, [(d, _titles(sc, bid, d.option)[1]) for d in ds]))
        rationales.append((_titles(sc, bid, "")[0], rows))
    objectives = []
    order = [o.id for o in sc.objectives] if sc else []
    for r in c.runs:
        order += [o.id for o in r.objectives if o.id not in order and not o.empty]
    for oid in order:
        obj = sc.objective(oid) if sc and oid else None
        cells = []
        for r in c.runs:
            o = next((x for x in r.objectives if x.id == oid), None)
            n, m = (len(o.strengths), len(o.improvements)) if o else (0, 0)
            cells.append("—" if o is None or o.empty else _("{rating} — {strengths}, {afi}").format(
                rating=o.rating or _("not rated"),
                strengths=ngettext("{n} strength", "{n} strengths", n).format(n=n),
                afi=_("{n} AFI").format(n=m)))
        objectives.append((obj.text if obj else (oid or _(GENERAL_TITLE)), cells))
    return {"c": c, "said": said, "cells": _cell_rows(c), "arguments": _arguments(c),
            "objectives": objectives, "counts": counts, "bars": bars, "pairs": pairs,
            "finals": finals, "signposts": signposts, "rationales": rationales,
            "never": [sc.branches[b].title for b in c.never_played()] if sc else [],
            "turn_of": lambda r: _turn_label(sc, r.turn), "max_pairs": MAX_PAIRS_GROUPS,
            "lang": current_language()}


def _cell_rows(c: Comparison) -> list[tuple[str, str, list[list[str]]]]:
    """(cell, turn, [each run's moves by that cell in that turn]) for every cell and turn in
    which any group's cell moved: the cells side by side across groups."""
    sc = c.scenario
    if not (sc is not None and sc.cells) and not _arguments(c):
        return []           # one group playing every actor: the rationales say it all
    names: dict[str, str] = {}
    for r in c.runs:
        for g in r.cells:
            names.setdefault(g.cell, g.name)
    order = [x.id for x in sc.cells if x.id in names] if sc is not None else []
    order += [x for x in names if x not in order and x]
    order += [x for x in names if not x]
    rows = []
    for cell in order:
        turns = sorted({m.turn for r in c.runs for g in r.cells if g.cell == cell
                        for m in g.moves})
        for t in turns:
            rows.append((names[cell], _turn_label(sc, t),
                         [[m.summary for g in r.cells if g.cell == cell for m in g.moves
                           if m.turn == t] for r in c.runs]))
    return rows


def _arguments(c: Comparison) -> list[tuple[str, str, CellMove]]:
    """(group, cell, argument) for every effective argument, by turn, then group."""
    out = [(r.label, g.name, m) for r in c.runs for g in r.cells for m in g.arguments]
    return sorted(out, key=lambda x: (x[2].turn, [r.label for r in c.runs].index(x[0]), x[2].n))


def to_markdown(c: Comparison) -> str:
    return render("compare.md", **_context(c))


def to_html(c: Comparison) -> str:
    """The comparison as one self-contained HTML page, with its charts inline."""
    return render("compare.html", **_context(c))
