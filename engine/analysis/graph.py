"""The scenario as a graph (`spillover graph`): Mermaid flowchart or Graphviz DOT.

Nodes: branches (rounded boxes), injects (hexagons; a chance inject's border dashed, its
chance in its label) and the events they cite (notes in DOT, stadiums in Mermaid), grouped
by first playable turn or by actor.

Edges, A → B:
- **enables** (solid): something A does — an effect of any option or outcome of A, an
  inject's effect, or simply playing A (`chosen(A)`) / releasing it (`released(A)`) — can
  turn a clause of B's precondition from false to true;
- **blocks** (dashed, red): it can turn a clause of B's precondition from true to false;
- **odds** (dotted, orange): it can raise (+) or lower (−) a modifier of B's adjudication;
- **cites** (grey): event → the branches and injects that rest on it.

A writer's own precondition narrows what it changes: `office = agreed` on a branch that
needs `office == negotiating` is only weighed from `negotiating` (clauses over one variable
are used this way; effects after an earlier write to the same variable are not narrowed).

Direction is decided by evaluating the compiled clauses, not by reading the text: each
clause is evaluated over the values of what it reads (every combination when there are at
most `CONTEXT_CAP`, otherwise a fixed sample), before and after the effect. That handles
enum order, ranges, sets, `count()`, `not` and `or` alike; it is exact for clauses of few
variables and a close approximation otherwise. Two effects of the same option are weighed
separately.
"""

from __future__ import annotations

import contextlib
import itertools
import random
import re
from collections.abc import Iterable
from typing import Any

import attrs

from engine.i18n import _
from engine.lang import expr as X
from engine.lang.tree import walk
from engine.model import Clause, Scenario, flat_effects
from engine.play.rules import Env, GameState, RuleError, apply_effects, chance_text

CONTEXT_CAP = 4096

NO_ACTOR = "no_actor"     # the group of actorless items: every actor's group is "actor_<id>"

ENABLES, BLOCKS, CITES, ODDS = "enables", "blocks", "cites", "odds"


@attrs.frozen
class Node:
    id: str             # sanitised, unique: b_<branch>, i_<inject>, e_<event>
    kind: str           # "branch" | "inject" | "event" | "ending"
    item: str           # the scenario id
    label: str
    group: str          # group key
    group_label: str
    chance: str = ""    # a chance inject's probability (format 2), e.g. "1/6": drawn dashed


@attrs.frozen
class Edge:
    src: str
    dst: str
    kind: str           # enables | blocks | cites
    label: str = ""     # what carries it: variable names, chosen(...), released(...)


@attrs.frozen
class Graph:
    title: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]

    def node(self, item_kind: str, item: str) -> Node | None:
        for n in self.nodes:
            if n.kind == item_kind and n.item == item:
                return n
        return None


# ---------------------------------------------------------------------------- analysis

def _reads(clause: Clause, scenario: Scenario) -> tuple[list[str], list[str], list[str], bool]:
    """What a clause reads: variables, chosen keys, released keys, and whether the turn."""
    names = {v.id: v for v in scenario.variables}
    vars_, chosen, released, turn = [], [], [], False
    for label, _fn, _t in clause.typed.refs:
        derived = names[label].derived if label in names else None
        if derived is not None:
            # a derived variable (format 2): what its derivation reads moves the clause
            for src in _effect_reads(derived, scenario):
                if src not in vars_:
                    vars_.append(src)
            turn = True
        elif label in names:
            if label not in vars_:
                vars_.append(label)
        elif label == "turn" or label.startswith("occurred("):
            turn = True
        elif label.startswith("chosen("):
            key = label[7:-1].replace(", ", ":")
            if key not in chosen:
                chosen.append(key)
        elif label.startswith("released("):
            key = label[9:-1]
            if key not in released:
                released.append(key)
    return vars_, chosen, released, turn


def _domain(t: Any) -> list:
    if isinstance(t, X.BoolType):
        return [False, True]
    if isinstance(t, X.IntType):
        return list(range(t.lo, t.hi + 1))
    if isinstance(t, X.EnumType):
        return list(range(len(t.values)))
    universe = t.universe
    if len(universe) > 12:
        # too many subsets to list: the empty set, singletons, all-but-one, all
        out = [frozenset()] + [frozenset([x]) for x in universe]
        out += [frozenset(universe) - {x} for x in universe] + [frozenset(universe)]
        return out
    return [frozenset(c) for r in range(len(universe) + 1)
            for c in itertools.combinations(universe, r)]


def _contexts(dims: list[list], cap: int = CONTEXT_CAP) -> list[tuple]:
    size = 1
    for d in dims:
        size *= max(1, len(d))
    if size <= cap:
        return list(itertools.product(*dims))
    rng = random.Random(0)
    return [tuple(rng.choice(d) for d in dims) for _ in range(cap)]


class _Analyser:
    """Evaluates clauses on made-up states to see which changes help or hurt them."""

    def __init__(self, scenario: Scenario):
        self.sc = scenario
        self.env = Env.for_session(scenario)
        self.var = {v.id: v for v in scenario.variables}
        self.initial = tuple(v.initial for v in scenario.variables)
        self.derived = any(v.derived is not None for v in scenario.variables)
        self._eff_cache: dict[int, dict] = {}

    def state(self, values: dict[int, Any], turn: int, chosen: frozenset, released: frozenset):
        vals = list(self.initial)
        for i, v in values.items():
            vals[i] = v
        s = GameState(turn, tuple(vals), chosen, (), released)
        if self.derived:             # derived variables follow what they are derived from
            with contextlib.suppress(RuleError):
                s = GameState(turn, tuple(apply_effects((), s, self.env)), chosen, (), released)
        return s

    def table(self, clause: Clause, turns: Iterable[int]):
        """Dimensions and the truth of the clause in each context."""
        vars_, chosen, released, reads_turn = _reads(clause, self.sc)
        turn_dim = sorted(turns) if reads_turn else [min(turns, default=0)]
        dims = [_domain(self.var[v].type) for v in vars_] + [[False, True]] * (
            len(chosen) + len(released)) + [turn_dim or [0]]
        names = ([("var", v) for v in vars_] + [("chosen", k) for k in chosen] +
                 [("released", k) for k in released] + [("turn", None)])
        truth = {}
        for ctx in _contexts(dims):
            truth[ctx] = self.clause_holds(clause, names, ctx)
        return names, truth

    def clause_holds(self, clause: Clause | _Probe, names, ctx) -> Any:
        """The clause's truth (a probe's number) in the context; 0 where it cannot be worked
        out."""
        values, chosen, released, turn = {}, set(), set(), 0
        for (kind, key), value in zip(names, ctx):
            if kind == "var":
                values[self.var[key].index] = value
            elif kind == "chosen":
                if value:
                    chosen.add(key)
                    if ":" in key:
                        chosen.add(key.split(":", 1)[0])
            elif kind == "released":
                if value:
                    released.add(key)
            else:
                turn = value
        try:
            assert clause.typed.fn is not None    # checked clauses and probes have their `fn`
            return clause.typed.fn(self.state(values, turn, frozenset(chosen),
                                              frozenset(released)), self.env)
        except Exception:
            return 0

    def effect_relation(self, eff: X.Effect) -> dict:
        """old value of the target → the set of values the effect can give it."""
        cached = self._eff_cache.get(id(eff))
        if cached is not None:
            return cached
        target = self.var[eff.variable]
        reads = _effect_reads(eff, self.sc)
        others = [v for v in reads if v != target.id]
        dims = [_domain(target.type)] + [_domain(self.var[v].type) for v in others]
        rel: dict = {}
        for ctx in _contexts(dims):
            values = {target.index: ctx[0]}
            for v, value in zip(others, ctx[1:]):
                values[self.var[v].index] = value
            try:
                new = eff.apply(self.state(values, 0, frozenset(), frozenset()), self.env)
            except Exception:      # out of range: that move is refused
                continue
            rel.setdefault(ctx[0], set()).add(new)
        self._eff_cache[id(eff)] = rel
        return rel

    def direction(self, clause, names, truth, dim: int, change) -> tuple[bool, bool]:
        """(can raise, can lower) the clause's value (false < true, or a modifier's number)
        when dimension `dim` changes by `change(old) -> (new, …)`."""
        up = down = False
        for ctx, before in truth.items():
            for new in change(ctx[dim]):
                if new == ctx[dim]:
                    continue
                after_ctx = ctx[:dim] + (new,) + ctx[dim + 1:]
                after = truth.get(after_ctx)
                if after is None:          # outside a sampled table
                    after = self.clause_holds(clause, names, after_ctx)
                if after > before:
                    up = True
                elif after < before:
                    down = True
                if up and down:
                    return True, True
        return up, down

    def allowed(self, clauses) -> dict[str, frozenset]:
        """Values a variable can have where these clauses hold, from the clauses that read
        that one variable alone (a writer's own precondition narrows what it changes)."""
        out: dict[str, frozenset] = {}
        for clause in clauses:
            vars_, ck, rk, turn = _reads(clause, self.sc)
            if len(vars_) != 1 or ck or rk or turn:
                continue
            v = self.var[vars_[0]]
            ok = frozenset(x for x in _domain(v.type)
                           if self.clause_holds(clause, [("var", v.id)], (x,)))
            out[v.id] = out[v.id] & ok if v.id in out else ok
        return out


def _effect_reads(eff: X.Effect, scenario: Scenario) -> list[str]:
    te = eff.tree
    out: list[str] = [te.variable] if te.op != "=" else []
    for n in walk(te.rhs) if te.rhs is not None else ():
        name = scenario.variables[n.value].id if n.op == "var" else None
        if name is not None and name not in out:
            out.append(name)
    return out


@attrs.frozen
class _Writer:
    """What one scenario item does, for the edges it can draw."""

    node: str
    effects: tuple[tuple[X.Effect, frozenset | None], ...]   # with the values it can start from
    chosen: tuple[str, ...] = ()     # keys set when it is played
    released: tuple[str, ...] = ()


def _writers(scenario: Scenario, node_of: dict, an: _Analyser) -> list[_Writer]:
    out = []
    for b in scenario.branches.values():
        allowed = an.allowed(b.when.clauses if b.when else ())
        effects: list = []
        keys = [b.id]
        for o in b.options:
            keys.append(f"{b.id}:{o.id}")
            written: set[str] = set()
            for eff in flat_effects(o.effects):
                effects.append((eff, None if eff.variable in written
                                else allowed.get(eff.variable)))
                written.add(eff.variable)
            for outcome in (o.on_success, o.on_failure, *(out for _r, out in o.outcomes)):
                if outcome is not None:
                    seen = set(written)
                    for eff in flat_effects(outcome.effects):
                        effects.append((eff, None if eff.variable in seen
                                        else allowed.get(eff.variable)))
                        seen.add(eff.variable)
        out.append(_Writer(node_of[("branch", b.id)], tuple(effects), tuple(keys)))
    for i in scenario.injects.values():
        allowed = an.allowed(i.when.clauses if i.when else ())
        effects = []
        written = set()
        for eff in flat_effects(i.effects):
            effects.append((eff, None if eff.variable in written else allowed.get(eff.variable)))
            written.add(eff.variable)
        out.append(_Writer(node_of[("inject", i.id)], tuple(effects), (), (i.id,)))
    return out


class _Probe:
    """A modifier seen as a number computed from the state, with what it reads."""

    def __init__(self, modifier):
        refs = tuple(modifier.value.refs)
        if modifier.when is not None:
            for c in modifier.when.clauses:
                refs += tuple(c.typed.refs)
        value, when = modifier.value.fn, modifier.when

        def fn(s, e):
            return value(s, e) if when is None or when.holds(s, e) else 0
        self.typed = attrs.evolve(modifier.value, fn=fn, refs=refs)


def _readers(scenario: Scenario, node_of: dict) -> list[tuple[str, str, tuple, frozenset]]:
    """(node, "when" | "odds", clauses or modifier probes, turns) for everything that reads."""
    out: list[tuple[str, str, tuple, frozenset]] = []
    all_turns = frozenset(range(len(scenario.turns)))
    for b in scenario.branches.values():
        turns = b.turns or all_turns
        if b.when is not None:
            out.append((node_of[("branch", b.id)], "when", b.when.clauses, turns))
        for o in b.options:                 # an option's own condition (format 2)
            if o.when is not None:
                out.append((node_of[("branch", b.id)], "when", o.when.clauses, turns))
        if b.adjudication is not None and b.adjudication.modifiers:
            out.append((node_of[("branch", b.id)], "odds",
                        tuple(_Probe(m) for m in b.adjudication.modifiers), turns))
    for i in scenario.injects.values():
        if i.when is not None:
            turns = all_turns if i.turn is None else frozenset(range(i.turn, len(scenario.turns)))
            out.append((node_of[("inject", i.id)], "when", i.when.clauses, turns))
    for e in scenario.endings:          # format 2: what brings an ending closer or further
        out.append((node_of[("ending", e.id)], "when", e.when.clauses, all_turns))
    return out


def build_graph(scenario: Scenario, group_by: str = "turn") -> Graph:
    """Nodes and edges (the structure behind both output formats)."""
    if group_by not in ("turn", "actor"):
        raise ValueError("group_by is 'turn' or 'actor'")
    nodes: list[Node] = []
    node_of: dict[tuple[str, str], str] = {}
    used: set[str] = set()

    def add(kind: str, item: str, label: str, group: str, group_label: str,
            chance: str = "") -> None:
        base = {"branch": "b_", "inject": "i_", "event": "e_", "ending": "x_"}[kind] + \
            _sanitise(item)
        nid, k = base, 2
        while nid in used:
            nid, k = f"{base}_{k}", k + 1
        used.add(nid)
        node_of[(kind, item)] = nid
        nodes.append(Node(nid, kind, item, label, group, group_label, chance))

    turns = scenario.turns
    for b in scenario.branches.values():
        if group_by == "turn":
            first = min(b.turns) if b.turns else None
            group = f"turn_{first}" if first is not None else "never"
            glabel = (f"Turn {first}: {turns[first].label}" if first is not None
                      else "No playable turn")
        else:
            group = f"actor_{b.actor}" if b.actor else NO_ACTOR
            glabel = scenario.actors.get(b.actor, b.actor) if b.actor else "No actor"
        label = b.title
        if b.adjudication is not None and b.adjudication.graded:     # its results, in order
            label += f" ({b.adjudication.dice}: " + " / ".join(
                band.label for band in b.adjudication.bands) + ")"
        add("branch", b.id, label, group, glabel)
    for i in scenario.injects.values():
        if group_by == "turn":
            group = f"turn_{i.turn}" if i.turn is not None else "on_demand"
            glabel = (f"Turn {i.turn}: {turns[i.turn].label}" if i.turn is not None
                      else "Injects on demand")
        else:
            group = f"actor_{i.actor}" if i.actor else NO_ACTOR
            glabel = scenario.actors.get(i.actor, i.actor) if i.actor else "No actor"
        chance = "" if i.chance is None else chance_text(i.chance)
        label = _("{title} (chance {p})").format(title=i.title, p=chance) if chance else i.title
        add("inject", i.id, label, group, glabel, chance)
    for e in scenario.endings:
        add("ending", e.id, e.title, "endings", "Endings")
    cited: dict[str, list[str]] = {}
    for b in scenario.branches.values():
        for ev in scenario.branch_events(b):
            cited.setdefault(ev, []).append(node_of[("branch", b.id)])
    for i in scenario.injects.values():
        evs = list(i.cites)
        if i.when is not None:
            for c in i.when.clauses:
                for label, _f, _t in c.typed.refs:
                    if label.startswith("occurred(") and label[9:-1] not in evs:
                        evs.append(label[9:-1])
        for ev in evs:
            cited.setdefault(ev, []).append(node_of[("inject", i.id)])
    for ev in sorted(cited, key=lambda e: (scenario.events[e].sort_key, e)
                     if e in scenario.events else ("", e)):
        event = scenario.events.get(ev)
        label = f"{event.title} ({event.date})" if event else ev
        add("event", ev, label, "events", "Events cited")

    edges: list[Edge] = []
    for ev, targets in cited.items():
        for t in dict.fromkeys(targets):
            edges.append(Edge(node_of[("event", ev)], t, CITES))

    an = _Analyser(scenario)
    found: dict[tuple[str, str, str], list[str]] = {}
    writers = _writers(scenario, node_of, an)
    for reader, what, clauses, window in _readers(scenario, node_of):
        for clause in clauses:
            vars_, ckeys, rkeys, _turn = _reads(clause, scenario)
            if not (vars_ or ckeys or rkeys):
                continue
            names, truth = an.table(clause, window)
            for w in writers:
                for eff, start in w.effects:
                    if eff.variable not in vars_:
                        continue
                    dim = names.index(("var", eff.variable))
                    rel = an.effect_relation(eff)
                    up, down = an.direction(
                        clause, names, truth, dim,
                        lambda old, r=rel, ok=start: r.get(old, ()) if ok is None or old in ok
                        else ())
                    _note(found, w.node, reader, what, up, down, eff.variable)
                for key in w.chosen:
                    if ("chosen", key) in names:
                        dim = names.index(("chosen", key))
                        up, down = an.direction(clause, names, truth, dim, lambda old: (True,))
                        _note(found, w.node, reader, what, up, down,
                              f"chosen({key.replace(':', ', ')})")
                for key in w.released:
                    if ("released", key) in names:
                        dim = names.index(("released", key))
                        up, down = an.direction(clause, names, truth, dim, lambda old: (True,))
                        _note(found, w.node, reader, what, up, down, f"released({key})")
    once = {node_of[("branch", b.id)] for b in scenario.branches.values() if not b.repeatable}
    once |= {node_of[("inject", i)] for i in scenario.injects}
    for (src, dst, kind), labels in found.items():
        if src == dst and src in once:
            continue       # played once: what it does to itself afterwards cannot matter
        edges.append(Edge(src, dst, kind, ", ".join(dict.fromkeys(labels))))
    return Graph(scenario.title, tuple(nodes), tuple(edges))


def _note(found: dict, src: str, dst: str, what: str, up: bool, down: bool, label: str) -> None:
    if what == "when":
        if up:
            found.setdefault((src, dst, ENABLES), []).append(label)
        if down:
            found.setdefault((src, dst, BLOCKS), []).append(label)
    else:
        if up:
            found.setdefault((src, dst, ODDS), []).append(label + " +")
        if down:
            found.setdefault((src, dst, ODDS), []).append(label + " −")


def _sanitise(text: str) -> str:
    out = re.sub(r"[^A-Za-z0-9_]", "_", text)
    return out if out and not out[0].isdigit() else "_" + out


# ---------------------------------------------------------------------------- output

def filter_graph(g: Graph, branches: Iterable[str] = (), variables: Iterable[str] = ()) -> Graph:
    """Only what bears on the given branches and variables, so a dense graph can be read:
    with `branches`, the edges into and out of them (events cited included); with
    `variables`, the edges carried by them (an effect on the variable, or a clause or
    modifier reading it). Given both, an edge must meet both. The nodes kept are those of
    the edges kept, and the named branches themselves. ValueError for a name that is not
    in the graph."""
    branches, variables = list(dict.fromkeys(branches)), list(dict.fromkeys(variables))
    if not branches and not variables:
        return g
    by_item = {n.item: n.id for n in g.nodes if n.kind in ("branch", "inject")}
    unknown = [b for b in branches if b not in by_item]
    if unknown:
        raise ValueError(_("no branch or inject '{id}' in the graph").format(id=unknown[0]))
    keep_ids = {by_item[b] for b in branches}

    def carried_by(e: Edge, v: str) -> bool:
        return re.search(rf"(?<![\w(]){re.escape(v)}(?![\w)])", e.label) is not None

    edges = [e for e in g.edges
             if (not branches or e.src in keep_ids or e.dst in keep_ids)
             and (not variables or any(carried_by(e, v) for v in variables))]
    kept = keep_ids | {e.src for e in edges} | {e.dst for e in edges}
    return attrs.evolve(g, nodes=tuple(n for n in g.nodes if n.id in kept), edges=tuple(edges))


def graph(scenario: Scenario, fmt: str = "mermaid", group_by: str = "turn",
          branches: Iterable[str] = (), variables: Iterable[str] = ()) -> str:
    """The scenario as Mermaid flowchart text or Graphviz DOT text (see `filter_graph`)."""
    unknown = [v for v in variables if scenario.variable(v) is None]
    if unknown:
        raise ValueError(_("no state variable '{name}' in the scenario").format(name=unknown[0]))
    g = filter_graph(build_graph(scenario, group_by), branches, variables)
    if fmt == "mermaid":
        return to_mermaid(g)
    if fmt == "dot":
        return to_dot(g)
    raise ValueError("fmt is 'mermaid' or 'dot'")


def _groups(g: Graph) -> list[tuple[str, str, list[Node]]]:
    groups: dict[str, tuple[str, list[Node]]] = {}
    for n in g.nodes:
        groups.setdefault(n.group, (n.group_label, []))[1].append(n)

    def order(key: str):
        if key.startswith("turn_"):
            return (0, int(key[5:]), "")
        return {"on_demand": (1, 0, ""), "never": (2, 0, ""), NO_ACTOR: (4, 0, ""),
                "endings": (8, 0, ""), "events": (9, 0, "")}.get(key, (3, 0, key))
    return [(k, groups[k][0], groups[k][1]) for k in sorted(groups, key=order)]


def _labelled(g: Graph) -> list[tuple[Edge, str]]:
    """Each edge with the label to draw. Renderers route edges between the same two nodes
    (either way) along one path and put their labels in one place, where they overlap; so
    per pair of nodes one edge carries the label of all of them, each part saying what it
    is (and '←' for the reverse direction), and the others carry none."""
    pairs: dict[frozenset, list[Edge]] = {}
    for e in g.edges:
        if e.label:
            pairs.setdefault(frozenset((e.src, e.dst)), []).append(e)
    out = []
    for e in g.edges:
        shared = pairs.get(frozenset((e.src, e.dst)), [])
        if len(shared) <= 1:
            out.append((e, e.label))
        elif e is shared[0]:
            out.append((e, "; ".join(
                f"{'← ' if (x.src, x.dst) != (e.src, e.dst) else ''}{x.kind}: {x.label}"
                for x in shared)))
        else:
            out.append((e, ""))
    return out


def _turn_chain(g: Graph) -> list[tuple[str, str]]:
    """Pairs of nodes (first of each turn group, first of the next) that keep the turn
    groups left to right in order: invisible links, as the edges alone (many run back to
    earlier turns) do not."""
    firsts = [members[0].id for key, _, members in _groups(g) if key.startswith("turn_")]
    return list(itertools.pairwise(firsts))


def _wrap(text: str, width: int = 28) -> list[str]:
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    if line:
        lines.append(line)
    return lines or [""]


def _mermaid_text(text: str) -> str:
    """Text safe inside a quoted Mermaid label, on one line (a line break — e.g. from a
    folded YAML `>` — would end the statement): whitespace runs become one space."""
    text = " ".join(text.split())
    return (text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;")
            .replace(">", "#gt;").replace("|", "#124;").replace("`", "#96;"))


# As documented: enables solid blue, blocks dashed red, odds dotted orange, cites grey.
MERMAID_EDGE = {
    ENABLES: "stroke:#2b6cb0,color:#2b6cb0",
    BLOCKS: "stroke:#c0392b,color:#c0392b,stroke-dasharray:6 4",
    ODDS: "stroke:#d68910,color:#d68910,stroke-dasharray:2 3",
    CITES: "stroke:#999999",
}
MERMAID_SHAPES = {"branch": ('("', '")'), "inject": ('{{"', '"}}'), "event": ('(["', '"])'),
                  "ending": ('[["', '"]]')}


def to_mermaid(g: Graph) -> str:
    lines = ["flowchart LR", f"  %% {_mermaid_text(g.title)}"]
    for key, glabel, members in _groups(g):
        lines.append(f'  subgraph g_{_sanitise(key)}["{_mermaid_text(glabel)}"]')
        for n in members:
            open_, close = MERMAID_SHAPES[n.kind]
            label = "<br/>".join(_mermaid_text(x) for x in _wrap(n.label))
            if n.kind != "event":
                label += f"<br/>({_mermaid_text(n.item)})"
            lines.append(f"    {n.id}{open_}{label}{close}")
        lines.append("  end")
    styles = []
    for k, (e, text) in enumerate(_labelled(g)):
        label = ("|\"" + "<br/>".join(_mermaid_text(x) for x in _wrap(text, 24)) + "\"|"
                 if text else "")
        arrow = "-.->" if e.kind == ODDS else "-->"
        lines.append(f"  {e.src} {arrow}{label} {e.dst}")
        styles.append(f"  linkStyle {k} {MERMAID_EDGE[e.kind]}")
    # after the real edges, so that their linkStyle numbers stay as they are
    lines += [f"  {a} ~~~ {b}" for a, b in _turn_chain(g)]
    lines += styles
    lines += [
        "  classDef branch fill:#dbe9f6,stroke:#2b6cb0,color:#1a202c",
        "  classDef inject fill:#fdebd0,stroke:#b9770e,color:#1a202c",
        "  classDef event fill:#eeeeee,stroke:#777777,color:#1a202c",
        "  classDef ending fill:#f5d5d5,stroke:#922b21,color:#1a202c",
    ]
    for kind in ("branch", "inject", "event", "ending"):
        ids = [n.id for n in g.nodes if n.kind == kind]
        for i in range(0, len(ids), 40):
            lines.append(f"  class {','.join(ids[i:i + 40])} {kind}")
    chance = [n.id for n in g.nodes if n.chance]     # chance injects: a dashed border
    if chance:
        lines.append("  classDef chance stroke-dasharray:5 4")
        lines.append(f"  class {','.join(chance)} chance")
    return "\n".join(lines) + "\n"


def _dot(text: str) -> str:
    """A double-quoted DOT string (line breaks become DOT's centred `\\n`)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


DOT_NODE = {
    "branch": 'shape=box, style="rounded,filled", fillcolor="#dbe9f6", color="#2b6cb0"',
    "inject": 'shape=hexagon, style=filled, fillcolor="#fdebd0", color="#b9770e"',
    "event": 'shape=note, style=filled, fillcolor="#eeeeee", color="#777777"',
    "ending": 'shape=doubleoctagon, style=filled, fillcolor="#f5d5d5", color="#922b21"',
}
DOT_EDGE = {
    ENABLES: 'color="#2b6cb0"',
    BLOCKS: 'style=dashed, color="#c0392b", fontcolor="#c0392b"',
    ODDS: 'style=dotted, color="#d68910", fontcolor="#d68910"',
    CITES: 'color="#999999", arrowhead=vee',
}


def to_dot(g: Graph) -> str:
    lines = [f"digraph {_dot(g.title)} {{",
             # newrank: rank across clusters (plain dot fails with "trouble in init_rank"
             # on graphs whose edges run both ways between clusters)
             f"  graph [rankdir=LR, newrank=true, fontname=Helvetica, label={_dot(g.title)}, "
             "labelloc=t];",
             "  node [fontname=Helvetica, fontsize=10];",
             "  edge [fontname=Helvetica, fontsize=9];"]
    for key, glabel, members in _groups(g):
        lines.append(f"  subgraph {_dot('cluster_' + _sanitise(key))} {{")
        lines.append(f"    label={_dot(glabel)}; style=rounded; color=grey60;")
        for n in members:
            label = "\n".join(_wrap(n.label)) + (f"\n({n.item})" if n.kind != "event" else "")
            style = DOT_NODE[n.kind].replace("style=filled", 'style="filled,dashed"') \
                if n.chance else DOT_NODE[n.kind]          # a chance inject: dashed
            lines.append(f"    {_dot(n.id)} [label={_dot(label)}, {style}];")
        lines.append("  }")
    order = {n.id: k for k, (_, _, members) in enumerate(_groups(g)) for n in members}
    for e, text in _labelled(g):
        label = f"label={_dot(chr(10).join(_wrap(text, 24)))}, " if text else ""
        # an edge back to an earlier group does not pull the layout out of turn order
        back = ", constraint=false" if order[e.src] > order[e.dst] else ""
        lines.append(f"  {_dot(e.src)} -> {_dot(e.dst)} [{label}{DOT_EDGE[e.kind]}{back}];")
    lines += [f"  {_dot(a)} -> {_dot(b)} [style=invis, weight=10];" for a, b in _turn_chain(g)]
    lines.append("}")
    return "\n".join(lines) + "\n"
