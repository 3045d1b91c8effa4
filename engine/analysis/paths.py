"""Paths through a scenario: each step described for people (`describe`) and as a token
that `replay_steps` applies through the rules (to reproduce a finding)."""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

from engine.analysis.moves import END, PASS, apply_action
from engine.analysis.odds import result_probability
from engine.analysis.results import Step
from engine.i18n import _
from engine.model import Scenario
from engine.play import rules
from engine.play.dice import modifier_text
from engine.play.rules import Env, GameState


def describe(action: tuple, state: GameState, env: Env) -> Step:
    """A step of a path, described from the state it is taken in."""
    sc = env.scenario
    t = state.turn
    kind = action[0]
    if kind == "choose":
        b = sc.branches[action[1]]
        o = b.option(action[2])
        assert o is not None, action
        extra = " (contested: a roll follows)" if o.contested else ""
        return Step(f"choose {b.id}:{o.id}", f"turn {t}: {b.title} [{b.id}] → {o.label} "
                    f"[{o.id}]{extra}", t)
    if kind == "roll":
        b, _o = rules.pending_option(state, env)
        adj = b.adjudication
        assert adj is not None
        mod_text = modifier_text(rules.modifiers_now(b, state, env))
        p = result_probability(state, env, action[1])
        if isinstance(action[1], str):                  # a graded roll's result
            band = adj.band(action[1])
            return Step(f"roll {action[1]}", f"turn {t}: roll {adj.dice}{mod_text} on "
                        f"{b.id} → {band.label if band else action[1]} "
                        f"({band.totals_text() if band else '?'}, p = {p})", t)
        word = "success" if action[1] else "failure"
        if adj.opposed:
            return Step(f"roll {word}", f"turn {t}: roll {adj.dice}{mod_text} against "
                        f"{adj.against_dice} (ties: {adj.ties}) on {b.id} → {word} (p = {p})", t)
        return Step(f"roll {word}", f"turn {t}: roll {adj.dice}{mod_text} vs {adj.target} "
                    f"on {b.id} → {word} (p = {p})", t)
    if kind == "release":
        i = sc.injects[action[1]]
        return Step(f"release {i.id}", f"turn {t}: release inject {i.title} [{i.id}]", t)
    if kind == "pass" and t < sc.last_turn:
        nxt = sc.turns[t + 1]
        if len(action) > 1:               # chance injects drawn as the turn begins
            drawn = action[1]
            words = "; ".join(
                f"{sc.injects[i].title} [{i}] {'happens' if fired else 'does not happen'} "
                f"(p = {_chance(sc, i) if fired else 1 - _chance(sc, i)})"
                for i, fired in drawn)
            token = " ".join(("+" if fired else "-") + i for i, fired in drawn)
            return Step(f"pass {token}".rstrip(),
                        f"turn {t}: pass → turn {t + 1} ({nxt.label}); drawn: {words}", t)
        return Step("pass", f"turn {t}: pass → turn {t + 1} ({nxt.label})", t)
    return Step("end", f"turn {t}: end the session", t)


def _chance(sc: Scenario, inject_id: str) -> Fraction:
    p = sc.injects[inject_id].chance
    assert p is not None, inject_id          # only chance injects are drawn
    return p


def replay_steps(scenario: Scenario, tokens: Iterable[str], *, switched_off: Iterable[str] = ()
                 ) -> GameState:
    """Apply step tokens (as in `Step.token`) from the initial state through the rules.

    Raises RuleError where the rules refuse a step — the way to reproduce a failure."""
    env = Env.for_session(scenario, switched_off)
    state = rules.initial_state(env)
    for token in tokens:
        state = apply_action(state, env, parse_token(token))
    return state


def parse_token(token: str) -> tuple:
    word, __, rest = token.strip().partition(" ")
    rest = rest.strip()
    if word == "choose" and ":" in rest:
        b, o = rest.split(":", 1)
        return ("choose", b, o)
    if word == "roll" and rest in ("success", "failure"):
        return ("roll", rest == "success")
    if word == "roll" and rest and " " not in rest:     # a graded roll's result
        return ("roll", rest)
    if word == "release" and rest:
        return ("release", rest)
    if word == "pass" and not rest:
        return PASS
    if word == "pass" and all(w[:1] in "+-" and len(w) > 1 for w in rest.split()):
        return ("pass", tuple((w[1:], w[0] == "+") for w in rest.split()))
    if word == "end" and not rest:
        return END
    raise ValueError(_("not a step: {token} (choose b:o · roll success|failure|RESULT · "
                       "release i · pass [+fired -not_fired …] · end)").format(token=repr(token)))


def shortest_path(graph, env: Env, sid: int, then: tuple | None = None) -> tuple[Step, ...]:
    """The shortest way found into state `sid` of an explored graph (`search.Graph`), each
    step described from the state it is taken in; with `then`, that action last."""
    chain = []
    while sid > 0:
        chain.append(sid)
        sid = graph.parent[sid]
    decode, keys, actions = graph.machine.layout.decode, graph.keys, graph.actions
    steps = []
    prev = 0
    for cid in reversed(chain):
        steps.append(describe(actions[graph.pact[cid]], decode(keys[prev]), env))
        prev = cid
    if then is not None:
        steps.append(describe(then, decode(keys[prev]), env))
    return tuple(steps)
