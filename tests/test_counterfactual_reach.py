"""What switching off a baseline event reaches, for the setup screen's picker."""

from engine.bundled import main_scenario
from engine.format.loader import load_scenario
from engine.play.counterfactual import baseline_reach


def test_reach_names_branches_odds_and_variables_and_lists_those_first():
    sc = load_scenario(main_scenario())
    reach = baseline_reach(sc)
    assert {r.event.id for r in reach} == {e.id for e in sc.baseline_events()}
    flags = [r.reaches for r in reach]
    assert flags == sorted(flags, reverse=True)          # reaching ones first
    by_id = {r.event.id: r for r in reach}
    annualex = by_id["annualex_2021_germany_canada"]
    assert "NATO joins ANNUALEX" in annualex.branches
    assert annualex.matches("annualex joins") and not annualex.matches("hyakuri zzz")
    assert any(r.modifiers for r in reach)               # some event shifts the odds
    assert any(r.variables for r in reach)


def test_tutorial_reach(tutorial):
    by_id = {r.event.id: r for r in baseline_reach(tutorial)}
    hayashi = by_id["hayashi_cnn_interview"]
    assert hayashi.branches == ("Japan presses for an agreement",)
    assert hayashi.variables == ()                  # the office only cites it (format 2)
    warning = by_id["china_warns_on_office"]
    assert "Pressure from Beijing (0–3)" in warning.variables
    assert "branches: Japan presses for an agreement" in hayashi.summary()
