"""End states tallied: the end outcomes (variable values) with their probabilities, each
variable's marginal, and the chance that each branch was played, each signpost fired and
each scenario ending ended the session — all P(… and the session ends)."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction
from typing import Any

import attrs

from engine.analysis.findings import value_rank
from engine.analysis.machine import Layout
from engine.analysis.results import EndOutcome
from engine.model import Scenario


@attrs.frozen
class EndTallies:
    outcomes: list[EndOutcome]
    marginals: dict[str, dict[str, Fraction]]
    branches: dict[str, Fraction]        # P(played and ends)
    signposts: dict[str, Fraction]       # P(fired and ends)
    endings: dict[str, Any]              # scenario ending -> mass (over `whole`)


def tally_ends(scenario: Scenario, lay: Layout, keys: list[int], ends: list[int],
               mass: list[int] | None, whole: int, played_p: dict[str, int],
               end_tags: dict[int, list[tuple[int, int]]] | None = None,
               fired_p: dict[str, int] | None = None,
               reached_anyway: frozenset[str] = frozenset()) -> EndTallies:
    """The end states grouped by their packed values, chosen and fired bits, then named.
    Without masses (`mass` None: incomplete, or no odds asked for), outcomes count states.
    `played_p` gives P(played and ends) · whole of the branches whose chosen bit the
    exploration dropped (`engine.analysis.reduce`), which the end states cannot tell;
    `end_tags` an end state's mass split by the values it forgot (`engine.analysis.frozen`):
    each (tag, mass) is then an end state of its own, its values those bits added;
    `fired_p` P(fired and ends) · whole of every signpost, when the end states keep no
    fired bits (a signpost that never fires in a session that ends is left out, as it is
    from the end states); `reached_anyway` those of them played or fired only in sessions
    weighted 0, reported at chance 0 as the unreduced end states would show them."""
    outcomes: list[EndOutcome] = []
    marginals: dict[str, dict[str, Fraction]] = {}
    branch_p: dict[str, Fraction] = {}
    signpost_p: dict[str, Fraction] = {}
    ending_p: dict[str, Any] = {}
    variables = scenario.variables
    if mass is not None:
        # end states grouped by their packed values, chosen and fired bits, then named
        by_values: dict[int, list] = {}
        by_chosen: dict[int, int] = {}
        by_fired: dict[int, int] = {}
        vmask, cmask, fmask = lay.values_mask, lay.chosen_mask, lay.fired_mask
        emask = (1 << len(lay.ending_ids).bit_length()) - 1
        tagged = end_tags or {}
        for sid in ends:
            c, m = keys[sid], mass[sid]
            for tag, tm in tagged.get(sid) or ((0, m),):
                g = by_values.get((c & vmask) | tag)
                if g is None:
                    g = by_values[(c & vmask) | tag] = [0, 0]
                g[0] += tm
                g[1] += 1
            by_chosen[c & cmask] = by_chosen.get(c & cmask, 0) + m
            by_fired[c & fmask] = by_fired.get(c & fmask, 0) + m
            ending = (c >> lay.ending_shift) & emask
            if ending:
                ending_p[lay.ending_ids[ending - 1]] = ending_p.get(
                    lay.ending_ids[ending - 1], 0) + m
        for found, by_bits, names in ((branch_p, by_chosen, lay.chosen),
                                      (signpost_p, by_fired, lay.fired)):
            sums: dict[str, int] = {}
            for bits, m in by_bits.items():
                for name, bit in names.items():
                    if bits & bit:
                        sums[name] = sums.get(name, 0) + m
            found.update({name: Fraction(m, whole) for name, m in sums.items()})
        branch_p.update({b: Fraction(m, whole) for b, m in played_p.items()
                         if m or b in branch_p or b in reached_anyway})
        signpost_p.update({s: Fraction(m, whole) for s, m in (fired_p or {}).items()
                           if m or s in reached_anyway})
        # per variable, its field's raw bits -> (id, value shown), named on first sight
        fields = [(lay.fields[v.index].shift, lay.fields[v.index].mask) for v in variables]
        named: list[dict[int, tuple[str, str]]] = [{} for _ in variables]
        raw_sums: list[dict[int, int]] = [{} for _ in variables]
        tallied: list[tuple[int, tuple, int]] = []
        for packed, (m, count) in by_values.items():
            row = []
            for k, (shift, mask) in enumerate(fields):
                raw = (packed >> shift) & mask
                pair = named[k].get(raw)
                if pair is None:
                    v = variables[k]
                    pair = named[k][raw] = (v.id, v.show(lay.values(raw << shift)[v.index]))
                row.append(pair)
                sums_k = raw_sums[k]
                sums_k[raw] = sums_k.get(raw, 0) + m
            tallied.append((m, tuple(row), count))
        marginal_sums: dict[str, dict[str, int]] = {v.id: {} for v in variables}
        for k, v in enumerate(variables):
            dist_v = marginal_sums[v.id]
            for raw, m in raw_sums[k].items():
                shown = named[k][raw][1]
                dist_v[shown] = dist_v.get(shown, 0) + m
        # most likely first: the masses share one denominator, so whole numbers sort as the
        # probabilities would
        tallied.sort(key=lambda o: (-o[0], o[1]))
        outcomes = [EndOutcome(row, Fraction(m, whole), count) for m, row, count in tallied]
        marginals = {vid: {shown: Fraction(m, whole) for shown, m in d.items()}
                     for vid, d in marginal_sums.items() if d}
        for v in variables:      # order each marginal by value
            if v.id in marginals:
                marginals[v.id] = dict(sorted(marginals[v.id].items(),
                                              key=lambda kv: value_rank(v, kv[0])))
    else:
        tagged = end_tags or {}
        groups2: dict[tuple, int] = Counter(
            lay.values(keys[sid] | tag) for sid in ends
            for tag, _m in tagged.get(sid) or ((0, 0),))
        for values, count in groups2.items():
            outcomes.append(EndOutcome(tuple((v.id, v.show(values[v.index])) for v in variables),
                                       None, count))
        outcomes.sort(key=lambda o: (-o.states, o.values))
    return EndTallies(outcomes, marginals, branch_p, signpost_p, ending_p)
