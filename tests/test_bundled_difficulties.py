"""The article's difficulties in the bundled exercise are state resting on events (issue 17).

For each variable whose starting value rests on catalogue events, switching those events off
changes its distribution at the end of a session, as `explore` computes it exactly (every
choice equally likely, rolls by their dice); and each difficulty moves the odds of the
prospects it weighs on in the direction the article argues. The explorations are exhaustive,
hence `slow` (a few seconds each); the quick test checks that every variable resting on
events is covered here.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from engine.analysis.explore import DEFAULT_MAX_STATES, explore
from engine.bundled import main_scenario
from engine.format.loader import load_scenario

# Each switch-off can widen the space a little (fewer branches blocked, other odds); the
# baseline itself must fit the CLI's default limit (see test_default_explore_completes).
LIMIT = 2 * DEFAULT_MAX_STATES

# The variables that rest on events, and the prospect each one visibly moves when its events
# are switched off: (indicator variable, member or value, +1 if its probability rises, -1 if
# it falls).
DIFFICULTIES = {
    # the dual confrontation's load on European forces: fighters stay home
    "russia_load": ("nato_missions", "air_policing", +1),
    # forces under NATO command: without the Force Model no standing group can sail
    "force_pool": ("mission_areas", "philippine_sea", -1),
    # preference for national capacity: Hyakuri is easier from a mixed start
    "allied_posture": ("nato_missions", "air_policing", +1),
    # trade with China: without the ties, the brake does not bite
    "china_ties": ("nato_exercise", "true", +1),
    # France's position: without its objection the office opens more often
    "france_reservation": ("office", "open", +1),
    # the formats Washington built: without them, less pull on the allies
    "us_leverage": ("nato_exercise", "true", -1),
    # the Afghanistan exit: less reason for a NATO flag, more conflict settlement to join
    "afghan_gap": ("japan_peace_support", "units", +1),
    # the confrontation NATO declared: without it, no northern seas
    "confrontation": ("mission_areas", "east_china_sea", -1),
}


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(main_scenario())


@pytest.fixture(scope="module")
def baseline(scenario):
    result = explore(scenario, max_states=DEFAULT_MAX_STATES)
    assert result.complete
    return result


def p(result, variable: str, shown: str) -> Fraction:
    """P(the variable ends holding `shown`: the value, or for a set a member)."""
    total = Fraction(0)
    for value, prob in result.marginals[variable].items():
        members = value.strip("{}").split(", ") if value.startswith("{") else [value]
        if shown in members:
            total += prob
    return total


def test_every_variable_resting_on_events_is_tested(scenario):
    resting = {v.id for v in scenario.variables if v.rests_on}
    assert resting == set(DIFFICULTIES)


@pytest.mark.slow
def test_default_explore_completes(baseline):
    """`spillover explore scenarios/nato-japan-prospects.yaml` with its default limit."""
    assert baseline.states <= DEFAULT_MAX_STATES
    assert not baseline.unreachable and not baseline.dead_ends and not baseline.failures
    assert not baseline.injects_never and not baseline.outcomes_never
    # No difficulty is a constant any more: each variable ends in more than one way.
    for var in ("russia_load", "force_pool", "china_ties", "us_leverage", "afghan_gap",
                "confrontation", "france_reservation", "allied_posture"):
        assert len(baseline.marginals[var]) > 1, var


@pytest.mark.slow
@pytest.mark.parametrize("variable", sorted(DIFFICULTIES))
def test_switching_off_its_events_changes_the_variable_and_the_odds(scenario, baseline,
                                                                     variable):
    events = scenario.variable(variable).rests_on
    off = explore(scenario, max_states=LIMIT, switched_off=list(events))
    assert off.complete, (variable, off.states)
    assert off.marginals[variable] != baseline.marginals[variable], variable
    indicator, shown, direction = DIFFICULTIES[variable]
    before, after = p(baseline, indicator, shown), p(off, indicator, shown)
    assert (after - before) * direction > 0, (variable, indicator, float(before), float(after))


def test_lint_of_the_bundled_scenario_is_clean(capsys):
    """Also guards the header: lint tells a scenario from a catalogue by a `spillover:` key
    near the top of the file, so a longer header comment would make it a 'catalogue'."""
    from tui.cli import main
    assert main(["lint", "--no-explore", str(main_scenario())]) == 0
    assert "0 errors, 0 warnings" in capsys.readouterr().out


@pytest.mark.slow
def test_spillover_explore_with_its_defaults_completes(capsys):
    from tui.cli import main
    code = main(["explore", str(main_scenario())])
    out = capsys.readouterr().out
    assert "complete:" in out and "stopped at the limit" not in out, out[:400]
    assert code == 0, out[:400]
