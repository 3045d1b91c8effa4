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

from engine.i18n import _

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


def _turns(a: int, b: int) -> str:
    return f"turn {a}" if a == b else f"turns {a}–{b}"


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
    out(f"explore {scenario.id} — {scenario.title}")
    policy = "every available choice equally likely" if not r.weights else \
        "weighted choices (" + ", ".join(f"{k}={v}" for k, v in r.weights.items()) + ")"
    out(f"  policy: {policy}; "
        + ("injects released by hand whenever the rules allow" if r.injects else
           "no inject released by hand (--no-injects; scheduled ones still at their turn)")
        + (f"; switched off: {', '.join(r.switched_off)}" if r.switched_off else ""))
    for event in r.switched_off:
        out(f"  switching off {event} changes: " + "; ".join(switch_reach(scenario, event).lines()))
    status = "complete" if r.complete else "INCOMPLETE"
    odds = f"; odds in {r.prob_seconds:.2f} s" if r.complete else ""
    out(f"  {status}: {r.states:,} distinct states, {r.transitions:,} transitions, "
        f"{r.end_states:,} end states — {r.seconds:.2f} s ({r.rate:,.0f} states/s){odds}")
    if not r.complete:
        last = r.turns_total - 1
        covered = (f"turns 0–{r.turns_complete - 1} explored completely"
                   if r.turns_complete > 1 else
                   "turn 0 explored completely" if r.turns_complete == 1 else "no turn completed")
        partly = f"turn {r.turns_complete} partly" if r.turns_complete <= last else ""
        seen = (f"{_turns(r.turns_complete + 1, r.turn_reached)} reached but not explored"
                if r.turn_reached > r.turns_complete else "")
        beyond = (f"{_turns(r.turn_reached + 1, last)} not reached"
                  if r.turn_reached < last else "")
        out(f"  stopped at the limit of {r.max_states:,} distinct states (--max-states): "
            + "; ".join(x for x in (covered, partly, seen, beyond) if x) + ".")
        out(f"  {r.expanded:,} of {r.states:,} known states expanded. Probabilities are not "
            "computed (they would not be exact), and branches not reached are not reported as "
            "unreachable. Raise --max-states to finish.")
    out("")

    n_branches = len(scenario.branches)
    played = len(r.played_branches)
    out(f"Branches: {played} of {n_branches} can be played")
    never = [u for u in r.unreachable if u.option is None]
    if never:
        out(f"  never playable ({len(never)}):")
        for u in never:
            out(f"    - {u.branch}: {u.reason}")
    opts = [u for u in r.unreachable if u.option is not None]
    for u in opts:
        out(f"    - option {u.branch}:{u.option}: {u.reason}")
    for o in r.outcomes_never:
        out(f"    - outcome {o} never happens (its odds are 0 or 1 wherever it is rolled)")
    for i in r.injects_never:
        out(f"    - inject {i} is never released")
    if r.not_covered:
        shown = ", ".join(r.not_covered[:12])
        more = f", … {len(r.not_covered) - 12} more (--json lists them)" \
            if len(r.not_covered) > 12 else ""
        out(f"  not reached within the budget ({len(r.not_covered)}; they may still be "
            f"playable): {shown}{more}")
    if paths:
        out("  shortest way to each branch:")
        for b in scenario.branches:
            if b in r.played_branches:
                steps = r.played_branches[b]
                out(f"    {b} ({len(steps)} step{'s' * (len(steps) != 1)}):")
                for s in steps:
                    out(f"      {s.text}")
    out("")

    if r.dead_ends:
        out(f"Dead ends: {len(r.dead_ends)} turn{'s' * (len(r.dead_ends) != 1)} can begin with "
            "nothing to play and nothing to release")
        for d in r.dead_ends:
            label = scenario.turns[d.turn].label
            prob = f", P = {_frac(d.probability)}" if d.probability is not None else ""
            out(f"  turn {d.turn} ({label}): {d.states} state{'s' * (d.states != 1)}{prob}; "
                "e.g. after:")
            for s in d.path:
                out(f"      {s.text}")
    else:
        out("Dead ends: none" + ("" if r.complete else " found so far"))
    if r.failures:
        out(f"Failures: {len(r.failures)} (moves offered that the rules refuse)")
        for f in r.failures:
            prob = f", P = {_frac(f.probability)}" if f.probability is not None else ""
            out(f"  {f.message} ({f.count} transition{'s' * (f.count != 1)}{prob}); e.g.:")
            for s in f.path:
                out(f"      {s.text}")
    else:
        out("Failures: none" + ("" if r.complete else " found so far"))
    out("")

    if r.complete:
        n = len(r.outcomes)
        out(f"End outcomes: {n} distinct (from {r.end_states:,} end states), exact odds under "
            "the policy and the dice")
        if r.failure_probability:
            out(f"  sessions stopped by a failure: P = {_frac(r.failure_probability)}")
        for eid, p in r.ending_probability.items():
            out(f"  ended early by '{eid}': P = {_frac(p)}")
        for o in r.outcomes[:top]:
            vals = ", ".join(f"{k}={v}" for k, v in o.values)
            exact = f"  (= {o.probability})" if len(str(o.probability)) <= 15 else ""
            out(f"  {float(o.probability) * 100:5.1f}%  {vals}{exact}")
        if n > top:
            out(f"  … {n - top} more (--top N, or --json)")
        out("Each variable at the end:")
        for v in scenario.variables:
            dist = r.marginals.get(v.id, {})
            out(f"  {v.id}: " + " · ".join(f"{val} {float(p) * 100:.1f}%"
                                           for val, p in dist.items()))
        if r.branch_probability:
            out("Chance each branch is played in a session that ends "
                "(failures count as not ending):")
            for b in scenario.branches:
                out(f"  {b}: {float(r.branch_probability.get(b, 0)) * 100:.1f}%")
        if r.signpost_probability:
            out("Chance each signpost fires in a session that ends:")
            for sp, p in r.signpost_probability.items():
                out(f"  {sp}: {float(p) * 100:.1f}%")
    else:
        out(f"End states seen so far: {r.end_states:,} ({len(r.outcomes)} distinct outcomes)")


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
    what = (f"playthroughs 0..{args.playthrough} (tracing {args.playthrough})"
            if args.playthrough is not None else f"{r.requested} playthroughs")
    out(f"randomtest {scenario.id}: {what}, seed {r.seed} — {r.playthroughs} run in "
        f"{r.seconds:.2f} s ({r.rate:,.0f} playthroughs/s)")
    f = r.failure
    if r.trace is not None and (f is None or f.playthrough != args.playthrough):
        out(f"\nPlaythrough {args.playthrough}:")
        for k, s in enumerate(r.trace, 1):
            out(f"  {k:3}. {s.text}")
    if f is not None:
        out(f"\nFAILURE ({f.kind}) in playthrough {f.playthrough} "
            f"(playthrough seed {f.playthrough_seed}): {f.message}")
        out("  choices:")
        for k, s in enumerate(f.steps, 1):
            out(f"  {k:3}. {s.text}")
        out(f"  steps: {'; '.join(f.tokens)}")
        out(f"  reproduce: {_reproduce(r, args)}")
    elif args.playthrough is not None and r.playthroughs <= args.playthrough:
        out("(the run stopped before that playthrough)")
    out("")
    nb, no = len(r.branch_counts), len(r.option_counts)
    pb = nb - len(r.never_branches)
    po = sum(1 for v in r.option_counts.values() if v)
    pi = len(r.inject_counts) - len(r.never_injects)
    out(f"Coverage: branches {pb}/{nb} · options {po}/{no} · injects "
        f"{pi}/{len(r.inject_counts)}"
        + (f" · dead ends met {r.dead_ends}" if r.dead_ends else ""))
    if r.never_branches:
        out("  branches never played: " + ", ".join(r.never_branches))
    if r.never_options:
        out("  options never played (their branch was): " + ", ".join(r.never_options))
    if r.never_injects:
        out("  injects never released: " + ", ".join(r.never_injects))
    if r.never_outcomes:
        out("  outcomes never rolled: " + ", ".join(r.never_outcomes))
    out("  plays per branch: " + ", ".join(f"{b} {c}" for b, c in r.branch_counts.items()))


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
