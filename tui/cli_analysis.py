"""`spillover explore`, `randomtest` and `graph`: headless, no Textual.

Exit codes: 0 clean · 1 findings (unreachable branches, dead ends, failures) · 2 usage errors,
and for `explore`, a --max-states limit hit before anything was found (inconclusive).
A scenario that does not load is reported by `tui.cli.main` (exit 1).
"""

from __future__ import annotations

import json
import shlex
import sys
from fractions import Fraction
from pathlib import Path

from engine.i18n import Messages, _, current_language, ngettext

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def _err(message: str) -> int:
    print(f"spillover: {message}", file=sys.stderr)
    return EXIT_USAGE


def _load(path: str):
    from engine.format.loader import load_scenario
    return load_scenario(path)


def _check_switched_off(scenario, ids) -> str | None:
    """The engine's own check (only baseline events can be switched off), as a message."""
    try:
        scenario.check_switched_off(ids)
    except ValueError as e:
        return f"--switch-off: {e}"
    return None


def _frac(p: Fraction | None) -> str:
    if p is None:
        return "—"
    pct = f"{float(p) * 100:.1f}%"
    if p.denominator == 1 or len(str(p)) <= 15:
        return f"{p} ≈ {pct}" if p.denominator != 1 else f"{p} = {pct}"
    return f"≈ {pct}"


def _pjson(p: Fraction | None):
    if p is None:
        return None
    return {"exact": str(p), "float": float(p)}


def _steps_json(steps):
    return [{"step": s.token, "text": s.text, "turn": s.turn} for s in steps]


# ---------------------------------------------------------------------------- explore

def cmd_explore(args) -> int:
    from engine.analysis.explore import explore
    if args.max_states < 1:
        return _err(_("--max-states must be at least 1"))
    if args.top < 0:
        return _err(_("--top cannot be negative"))
    weights = None
    if args.weights:
        try:
            weights = json.loads(Path(args.weights).read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            return _err(_("--weights {file}: {reason}").format(file=args.weights, reason=e))
        if not isinstance(weights, dict):
            return _err(_("--weights {file}: expected a JSON object of weights").format(
                file=args.weights))
    scenario = _load(args.scenario)
    bad = _check_switched_off(scenario, args.switch_off)
    if bad:
        return _err(bad)
    try:
        r = explore(scenario, max_states=args.max_states, weights=weights,
                    injects=not args.no_injects, switched_off=args.switch_off)
    except ValueError as e:
        return _err(str(e))
    if args.json:
        print(json.dumps(explore_json(r, scenario), indent=2, ensure_ascii=False))
    else:
        print_explore(r, scenario, paths=args.paths, top=args.top)
    if r.findings:
        return EXIT_FINDINGS
    return EXIT_OK if r.complete else EXIT_USAGE


def explore_json(r, scenario) -> dict:
    from engine.analysis.switches import switch_reach
    return {
        "scenario": r.scenario,
        "complete": r.complete,
        "exact": r.complete,
        "max_states": r.max_states,
        "states": r.states,
        "expanded": r.expanded,
        "transitions": r.transitions,
        "end_states": r.end_states,
        "seconds": round(r.seconds, 4),
        "states_per_second": round(r.rate),
        "turns": r.turns_total,
        "turns_complete": r.turns_complete,
        "turn_reached": r.turn_reached,
        "policy": {"injects_as_choices": r.injects, "weights": {k: str(v) for k, v in
                                                                 r.weights.items()}},
        "switched_off": list(r.switched_off),
        "switch_changes": {e: switch_reach(scenario, e).lines() for e in r.switched_off},
        "unreachable_branches": [
            {"branch": u.branch, "reason": u.reason, "clauses": list(u.clauses)}
            for u in r.unreachable if u.option is None],
        "unreachable_options": [
            {"option": f"{u.branch}:{u.option}", "reason": u.reason}
            for u in r.unreachable if u.option is not None],
        "outcomes_never": list(r.outcomes_never),
        "injects_never": list(r.injects_never),
        "not_covered": list(r.not_covered),
        "dead_ends": [{"turn": d.turn, "states": d.states, "probability": _pjson(d.probability),
                       "path": _steps_json(d.path)} for d in r.dead_ends],
        "failures": [{"message": f.message, "transitions": f.count,
                      "probability": _pjson(f.probability), "path": _steps_json(f.path)}
                     for f in r.failures],
        "failure_probability": _pjson(r.failure_probability),
        "ending_probability": {k: _pjson(p) for k, p in r.ending_probability.items()},
        "outcomes": [{"values": dict(o.values), "probability": _pjson(o.probability),
                      "end_states": o.states} for o in r.outcomes],
        "marginals": {v: {val: _pjson(p) for val, p in d.items()}
                      for v, d in r.marginals.items()},
        "branch_probability": {b: _pjson(p) for b, p in r.branch_probability.items()},
        "signpost_probability": {s: _pjson(p) for s, p in r.signpost_probability.items()},
        "paths": {
            "branches": {b: _steps_json(p) for b, p in r.played_branches.items()},
            "options": {o: _steps_json(p) for o, p in r.played_options.items()},
        },
    }


def print_explore(r, scenario, *, paths: bool = False, top: int = 10) -> None:
    from engine.analysis.switches import switch_reach
    out = print
    num = Messages(current_language()).number
    out(f"explore {scenario.id} — {scenario.title}")
    policy = _("every available choice equally likely") if not r.weights else \
        _("weighted choices ({weights})").format(
            weights=", ".join(f"{k}={v}" for k, v in r.weights.items()))
    out("  " + _("policy: {policy}; ").format(policy=policy)
        + (_("injects released by hand whenever the rules allow") if r.injects else
           _("no inject released by hand (--no-injects; scheduled ones still at their turn)"))
        + ("; " + _("switched off: {events}").format(events=", ".join(r.switched_off))
           if r.switched_off else ""))
    for event in r.switched_off:
        out("  " + _("switching off {event} changes: ").format(event=event)
            + "; ".join(switch_reach(scenario, event).lines()))
    status = _("complete") if r.complete else _("INCOMPLETE")
    odds = "; " + _("odds in {seconds} s").format(seconds=f"{r.prob_seconds:.2f}") \
        if r.complete else ""
    out("  " + _("{status}: {states} distinct states, {transitions} transitions, {ends} end "
                 "states — {seconds} s ({rate} states/s)").format(
        status=status, states=num(r.states), transitions=num(r.transitions),
        ends=num(r.end_states), seconds=f"{r.seconds:.2f}", rate=num(round(r.rate))) + odds)
    if not r.complete:
        last = r.turns_total - 1
        covered = (_("turns 0–{last} explored completely").format(last=r.turns_complete - 1)
                   if r.turns_complete > 1 else
                   _("turn 0 explored completely") if r.turns_complete == 1
                   else _("no turn completed"))
        partly = _("turn {n} partly").format(n=r.turns_complete) \
            if r.turns_complete <= last else ""
        a, b = r.turns_complete + 1, r.turn_reached
        seen = ("" if b <= r.turns_complete else
                _("turn {n} reached but not explored").format(n=a) if a == b else
                _("turns {a}–{b} reached but not explored").format(a=a, b=b))
        a, b = r.turn_reached + 1, last
        beyond = ("" if r.turn_reached >= last else
                  _("turn {n} not reached").format(n=a) if a == b else
                  _("turns {a}–{b} not reached").format(a=a, b=b))
        out("  " + _("stopped at the limit of {n} distinct states (--max-states): ").format(
            n=num(r.max_states)) + "; ".join(x for x in (covered, partly, seen, beyond) if x)
            + ".")
        out("  " + _("{expanded} of {states} known states expanded. Probabilities are not "
                     "computed (they would not be exact), and branches not reached are not "
                     "reported as unreachable. Raise --max-states to finish.").format(
            expanded=num(r.expanded), states=num(r.states)))
    out("")

    n_branches = len(scenario.branches)
    played = len(r.played_branches)
    out(_("Branches: {played} of {n} can be played").format(played=played, n=n_branches))
    never = [u for u in r.unreachable if u.option is None]
    if never:
        out("  " + _("never playable ({n}):").format(n=len(never)))
        for u in never:
            out(f"    - {u.branch}: {u.reason}")
    opts = [u for u in r.unreachable if u.option is not None]
    for u in opts:
        out("    - " + _("option {branch}:{option}: {reason}").format(
            branch=u.branch, option=u.option, reason=u.reason))
    for o in r.outcomes_never:
        out("    - " + _("outcome {outcome} never happens (its odds are 0 or 1 wherever it is "
                         "rolled)").format(outcome=o))
    for i in r.injects_never:
        out("    - " + _("inject {inject} is never released").format(inject=i))
    if r.not_covered:
        shown = ", ".join(r.not_covered[:12])
        more = ", " + _("… {n} more (--json lists them)").format(n=len(r.not_covered) - 12) \
            if len(r.not_covered) > 12 else ""
        out("  " + _("not reached within the budget ({n}; they may still be playable): "
                     "{shown}").format(n=len(r.not_covered), shown=shown) + more)
    if paths:
        out("  " + _("shortest way to each branch:"))
        for b in scenario.branches:
            if b in r.played_branches:
                steps = r.played_branches[b]
                out(f"    {b} (" + ngettext("{n} step", "{n} steps", len(steps)).format(
                    n=len(steps)) + "):")
                for s in steps:
                    out(f"      {s.text}")
    out("")

    if r.dead_ends:
        n = len(r.dead_ends)
        out(ngettext("Dead ends: {n} turn can begin with nothing to play and nothing to release",
                     "Dead ends: {n} turns can begin with nothing to play and nothing to release",
                     n).format(n=n))
        for d in r.dead_ends:
            label = scenario.turns[d.turn].label
            prob = f", P = {_frac(d.probability)}" if d.probability is not None else ""
            out("  " + _("turn {turn} ({label}): ").format(turn=d.turn, label=label)
                + ngettext("{n} state", "{n} states", d.states).format(n=d.states) + prob
                + "; " + _("e.g. after:"))
            for s in d.path:
                out(f"      {s.text}")
    else:
        out(_("Dead ends: none") if r.complete else _("Dead ends: none found so far"))
    if r.failures:
        out(_("Failures: {n} (moves offered that the rules refuse)").format(n=len(r.failures)))
        for f in r.failures:
            prob = f", P = {_frac(f.probability)}" if f.probability is not None else ""
            out(f"  {f.message} (" + ngettext("{n} transition", "{n} transitions", f.count).format(
                n=f.count) + prob + "); " + _("e.g.:"))
            for s in f.path:
                out(f"      {s.text}")
    else:
        out(_("Failures: none") if r.complete else _("Failures: none found so far"))
    out("")

    if r.complete:
        n = len(r.outcomes)
        out(_("End outcomes: {n} distinct (from {ends} end states), exact odds under the policy "
              "and the dice").format(n=n, ends=num(r.end_states)))
        if r.failure_probability:
            out("  " + _("sessions stopped by a failure: P = {p}").format(
                p=_frac(r.failure_probability)))
        for eid, p in r.ending_probability.items():
            out("  " + _("ended early by '{ending}': P = {p}").format(ending=eid, p=_frac(p)))
        words = _value_words(scenario)
        for o in r.outcomes[:top]:
            vals = ", ".join(f"{k}={words(k, v)}" for k, v in o.values)
            exact = f"  (= {o.probability})" if len(str(o.probability)) <= 15 else ""
            out(f"  {float(o.probability) * 100:5.1f}%  {vals}{exact}")
        if n > top:
            out("  " + _("… {n} more (--top N, or --json)").format(n=n - top))
        out(_("Each variable at the end:"))
        for v in scenario.variables:
            dist = r.marginals.get(v.id, {})
            out(f"  {v.id}: " + " · ".join(f"{words(v.id, val)} {float(p) * 100:.1f}%"
                                           for val, p in dist.items()))
        if r.branch_probability:
            out(_("Chance each branch is played in a session that ends (failures count as not "
                  "ending):"))
            for b in scenario.branches:
                out(f"  {b}: {float(r.branch_probability.get(b, 0)) * 100:.1f}%")
        if r.signpost_probability:
            out(_("Chance each signpost fires in a session that ends:"))
            for sp, p in r.signpost_probability.items():
                out(f"  {sp}: {float(p) * 100:.1f}%")
    else:
        out(_("End states seen so far: {ends} ({n} distinct outcomes)").format(
            ends=num(r.end_states), n=len(r.outcomes)))


def _value_words(scenario):
    """(variable id, value as explore keys it) → the value as the room reads it: enum values
    and set members by their labels; an unknown form is left as it is."""
    def words(vid: str, shown: str) -> str:
        var = scenario.variable(vid)
        if var is None or type(var.type).__name__ not in ("EnumType", "SetType"):
            return shown
        try:
            return var.words(var.parse(shown), scenario.actors)
        except ValueError:
            return shown
    return words


# ---------------------------------------------------------------------------- randomtest

def cmd_randomtest(args) -> int:
    from engine.analysis.randomtest import randomtest
    if args.n < 0:
        return _err(_("-n cannot be negative"))
    if args.playthrough is not None and args.playthrough < 0:
        return _err(_("--playthrough cannot be negative"))
    scenario = _load(args.scenario)
    bad = _check_switched_off(scenario, args.switch_off)
    if bad:
        return _err(bad)
    try:
        r = randomtest(scenario, args.n, args.seed, injects=not args.no_injects,
                       switched_off=args.switch_off, allow_dead_ends=args.allow_dead_ends,
                       playthrough=args.playthrough)
    except ValueError as e:
        return _err(str(e))
    if args.json:
        print(json.dumps(randomtest_json(r), indent=2, ensure_ascii=False))
    else:
        print_randomtest(r, scenario, args)
    return EXIT_FINDINGS if r.failure else EXIT_OK


def _reproduce(r, args) -> str:
    cmd = (f"spillover randomtest {shlex.quote(str(args.scenario))} --seed {r.seed} "
           f"--playthrough {r.failure.playthrough}")
    for flag, on in (("--no-injects", args.no_injects),
                     ("--allow-dead-ends", args.allow_dead_ends)):
        if on:
            cmd += f" {flag}"
    for e in args.switch_off:
        cmd += f" --switch-off {shlex.quote(e)}"
    return cmd


def randomtest_json(r) -> dict:
    f = r.failure
    return {
        "scenario": r.scenario, "seed": r.seed, "requested": r.requested,
        "playthroughs": r.playthroughs, "seconds": round(r.seconds, 4),
        "playthroughs_per_second": round(r.rate),
        "failure": None if f is None else {
            "kind": f.kind, "message": f.message, "playthrough": f.playthrough,
            "playthrough_seed": f.playthrough_seed, "steps": _steps_json(f.steps)},
        "dead_ends_counted": r.dead_ends,
        "branches": r.branch_counts, "options": r.option_counts, "injects": r.inject_counts,
        "outcomes": r.outcome_counts,
        "never": {"branches": list(r.never_branches), "options": list(r.never_options),
                  "injects": list(r.never_injects), "outcomes": list(r.never_outcomes)},
        "end_outcomes": [{"values": dict(v), "count": c} for v, c in r.end_outcomes],
        "trace": None if r.trace is None else _steps_json(r.trace),
    }


def print_randomtest(r, scenario, args) -> None:
    out = print
    num = Messages(current_language()).number
    what = (_("playthroughs 0..{n} (tracing {n})").format(n=args.playthrough)
            if args.playthrough is not None else
            ngettext("{n} playthrough", "{n} playthroughs", r.requested).format(n=r.requested))
    out(f"randomtest {scenario.id}: " + _("{what}, seed {seed} — {n} run in {seconds} s ({rate} "
                                          "playthroughs/s)").format(
        what=what, seed=r.seed, n=r.playthroughs, seconds=f"{r.seconds:.2f}",
        rate=num(round(r.rate))))
    f = r.failure
    if r.trace is not None and (f is None or f.playthrough != args.playthrough):
        out("\n" + _("Playthrough {n}:").format(n=args.playthrough))
        for k, s in enumerate(r.trace, 1):
            out(f"  {k:3}. {s.text}")
    if f is not None:
        out("\n" + _("FAILURE ({kind}) in playthrough {n} (playthrough seed {seed}): "
                     "{message}").format(kind=f.kind, n=f.playthrough, seed=f.playthrough_seed,
                                         message=f.message))
        out("  " + _("choices:"))
        for k, s in enumerate(f.steps, 1):
            out(f"  {k:3}. {s.text}")
        out("  " + _("steps: {steps}").format(steps="; ".join(f.tokens)))
        out("  " + _("reproduce: {command}").format(command=_reproduce(r, args)))
    elif args.playthrough is not None and r.playthroughs <= args.playthrough:
        out(_("(the run stopped before that playthrough)"))
    out("")
    nb, no = len(r.branch_counts), len(r.option_counts)
    pb = nb - len(r.never_branches)
    po = sum(1 for v in r.option_counts.values() if v)
    pi = len(r.inject_counts) - len(r.never_injects)
    out(_("Coverage: branches {pb}/{nb} · options {po}/{no} · injects {pi}/{ni}").format(
        pb=pb, nb=nb, po=po, no=no, pi=pi, ni=len(r.inject_counts))
        + (" · " + _("dead ends met {n}").format(n=r.dead_ends) if r.dead_ends else ""))
    if r.never_branches:
        out("  " + _("branches never played: {ids}").format(ids=", ".join(r.never_branches)))
    if r.never_options:
        out("  " + _("options never played (their branch was): {ids}").format(
            ids=", ".join(r.never_options)))
    if r.never_injects:
        out("  " + _("injects never released: {ids}").format(ids=", ".join(r.never_injects)))
    if r.never_outcomes:
        out("  " + _("outcomes never rolled: {ids}").format(ids=", ".join(r.never_outcomes)))
    out("  " + _("plays per branch: {counts}").format(
        counts=", ".join(f"{b} {c}" for b, c in r.branch_counts.items())))


# ---------------------------------------------------------------------------- graph

def cmd_graph(args) -> int:
    from engine.analysis.graph import graph
    scenario = _load(args.scenario)
    try:
        text = graph(scenario, fmt=args.format, group_by=args.group_by,
                     branches=args.branch, variables=args.variable)
    except ValueError as e:
        return _err(str(e))
    if args.format == "mermaid":
        n_edges = sum(1 for line in text.splitlines()
                      if line.startswith("  ") and (" --> " in line or " -.->" in line
                                                    or " -->|" in line or " -.->|" in line))
        if n_edges > 500:
            print("spillover: " + _("note: {n} edges; Mermaid draws at most 500 unless its "
                                    "maxEdges setting is raised — consider --format dot").format(
                n=n_edges), file=sys.stderr)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as e:
            print("spillover: " + _("cannot write {path}: {reason}").format(
                path=args.output, reason=e), file=sys.stderr)
            return EXIT_FINDINGS
        print(_("wrote {path}").format(path=args.output), file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK
