"""One mistake, one diagnostic, at its place (issue 15).

A declaration with an error is still declared with what could be understood, so its uses are
checked and nothing false follows; misleading messages name the real cause. Each test makes one
mistake in a clean scenario and expects exactly the one right diagnostic, at its position."""

import json

import pytest

from engine.format.loader import check_scenario
from engine.format.schema import FORMAT_VERSIONS, json_schema

BASE = """\
spillover: 1
id: mini
title: Mini
start: 2023-07-01
actors: {nato: NATO}
events:
  - {id: precedent, date: 2022-06, title: A precedent}
turns:
  - {label: Baseline, date: 2023-07-01}
  - {label: Next, date: 2023-12-31}
  - {label: Later, date: 2024-06-30}
state:
  level:
    type: int
    range: [0, 3]
    initial: 0
  tension:
    type: enum
    values: [calm, heightened, crisis]
    initial: calm
  stance:
    type: enum
    values: [cautious, bold]
    initial: cautious
  areas:
    type: set
    of: [north, south]
    initial: []
branches:
  - id: step
    title: Step up
    actor: nato
    when: occurred(precedent) and level < 3
    cites: [precedent]
    options:
      - {id: go, label: Go, effects: [level += 1]}
  - id: push
    title: Push
    when: [level >= 1, tension == calm, count(areas) < 2]
    adjudication:
      dice: 2d6
      target: 7
      modifiers:
        - {label: Tension, value: 1, when: tension >= heightened}
    options:
      - id: try
        label: Try
        on_success: {effects: [stance = bold, areas += north]}
        on_failure: {effects: [tension = crisis]}
"""


def edit(*pairs: str) -> str:
    text = BASE
    for old, new in zip(pairs[::2], pairs[1::2]):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def where(text: str, needle: str, nth: int = 1) -> tuple[int, int]:
    """(line, col), 1-based, of the nth occurrence of `needle` in `text`."""
    at = -1
    for _ in range(nth):
        at = text.index(needle, at + 1)
    line = text.count("\n", 0, at) + 1
    return line, at - (text.rfind("\n", 0, at) + 1) + 1


def the_one(write_scenario, text: str):
    scenario, diags = check_scenario(write_scenario(text))
    assert scenario is None
    assert len(diags) == 1, "\n".join(d.format() for d in diags)
    return diags[0]


def test_base_is_clean(write_scenario):
    scenario, diags = check_scenario(write_scenario(BASE))
    assert diags == [] and scenario is not None


def test_int_initial_outside_its_range_is_still_declared(write_scenario):
    text = edit("    initial: 0\n", "    initial: 7\n")
    d = the_one(write_scenario, text)
    assert d.code == "SP406" and (d.line, d.col) == where(text, "7\n")
    assert "0..3" in d.message and "from 0 to 3" in d.hint


def test_bad_set_initial_is_still_declared(write_scenario):
    text = edit("    initial: []", "    initial: [east]")
    d = the_one(write_scenario, text)
    assert d.code == "SP407" and (d.line, d.col) == where(text, "east")
    assert "'areas'" in d.message


def test_reversed_range_is_one_error(write_scenario):
    text = edit("range: [0, 3]", "range: [3, 0]")
    d = the_one(write_scenario, text)
    assert d.code == "SP203" and (d.line, d.col) == where(text, "[3, 0]")
    assert "lowest 3 is above highest 0" in d.message


def test_bad_enum_initial_is_still_declared(write_scenario):
    text = edit("    initial: calm", "    initial: clam")
    d = the_one(write_scenario, text)
    assert d.code == "SP407" and (d.line, d.col) == where(text, "clam")
    assert d.hint == "did you mean 'calm'?"


def test_bad_dice_keep_the_adjudication_and_its_modifiers_checked(write_scenario):
    text = edit("dice: 2d6", "dice: 2D6")
    d = the_one(write_scenario, text)
    assert d.code == "SP503" and (d.line, d.col) == where(text, "2D6")
    assert "lowercase" in d.hint
    # ...and a typo in a modifier of that branch is still found, with no false SP501
    text = edit("dice: 2d6", "dice: 2D6", "when: tension >=", "when: tensoin >=")
    _, diags = check_scenario(write_scenario(text))
    assert [(d.code, d.line, d.col) for d in diags] == [
        ("SP503",) + where(text, "2D6"), ("SP402",) + where(text, "tensoin")]


def test_duplicated_branch_id_still_checks_the_duplicates_body(write_scenario):
    text = edit("  - id: push", "  - id: step", "tension = crisis", "tenson = crisis")
    _, diags = check_scenario(write_scenario(text))
    assert [(d.code, d.line, d.col) for d in diags] == [
        ("SP301",) + where(text, "step", 2), ("SP402",) + where(text, "tenson")]


def test_missing_version_line_is_named(write_scenario):
    text = edit("spillover: 1\n", "")
    d = the_one(write_scenario, text)
    assert d.code == "SP202" and (d.line, d.col) == (1, 1)
    assert "'spillover:'" in d.message and f"spillover: {FORMAT_VERSIONS[-1]}" in d.hint


def test_lint_treats_a_scenario_without_version_as_a_scenario(write_scenario, capsys):
    from tui.cli import main
    path = write_scenario(edit("spillover: 1\n", ""))
    assert main(["lint", "--json", str(path)]) == 1
    out = json.loads(capsys.readouterr().out)
    assert [d["code"] for d in out["diagnostics"]] == ["SP202"]


@pytest.mark.parametrize("old, new, whole", [
    ("value: 1, when: tension >= heightened}", "value: 1, when: chosen(step, go)}",
     "chosen(step, go)"),
    ("when: [level >= 1, tension == calm, count(areas) < 2]",
     "when: [level >= 1, chosen(step, go)]", "chosen(step, go)"),
])
def test_flow_style_comma_split_says_to_quote(write_scenario, old, new, whole):
    text = edit(old, new)
    d = the_one(write_scenario, text)
    assert d.code == "SP401" and (d.line, d.col) == where(text, whole)
    assert f"'{whole}' was split at its comma" in d.message and "quote it" in d.hint


def test_flow_style_set_literal_says_to_quote(write_scenario):
    text = edit("effects: [level += 1]", "effects: [areas = {north, south}]")
    d = the_one(write_scenario, text)
    assert d.code == "SP104" and d.line == where(text, "areas = {")[0]
    assert 'quote the expression, e.g. ["s = {a, b}"]' in d.hint


def test_quoted_flow_style_expressions_load(write_scenario):
    text = edit("when: [level >= 1, tension == calm, count(areas) < 2]",
                "when: [level >= 1, \"chosen(step, go)\"]",
                "effects: [level += 1]", "effects: [level += 1, \"areas = {north, south}\"]")
    scenario, diags = check_scenario(write_scenario(text))
    assert diags == [] and scenario is not None


def test_a_string_where_effects_are_expected_is_one_error(write_scenario):
    text = edit("effects: [level += 1]", "effects: level += 1")
    d = the_one(write_scenario, text)
    assert d.code == "SP203" and (d.line, d.col) == where(text, "level += 1")
    assert d.hint.startswith("write [level += 1]")


def test_enum_value_of_another_variable_says_so(write_scenario):
    text = edit("level >= 1,", "level >= heightened,")
    d = the_one(write_scenario, text)
    line, col = where(text, "level >= heightened")
    assert d.code == "SP403" and (d.line, d.col) == (line, col + len("level >= "))
    assert "'heightened' is a value of 'tension'" in d.message
    text = edit("tension == calm", "tension == bold")
    d = the_one(write_scenario, text)
    assert d.code == "SP407" and (d.line, d.col) == where(text, "bold, count")
    assert "'bold' is a value of 'stance'" in d.hint


def test_yaml_booleans_as_enum_values_get_a_hint_and_still_declare(write_scenario):
    text = edit("values: [cautious, bold]\n    initial: cautious",
                "values: [on, cautious]\n    initial: cautious",
                "stance = bold", "stance = on")
    d = the_one(write_scenario, text)
    assert d.code == "SP203" and (d.line, d.col) == where(text, "on, cautious")
    assert "found true" in d.message and "quote" in d.hint


def test_impossible_date_is_rejected(write_scenario):
    text = edit("date: 2022-06,", "date: 2022-06-31,")
    d = the_one(write_scenario, text)
    assert d.code == "SP205" and (d.line, d.col) == where(text, "2022-06-31")
    assert "not a real date" in d.message


def test_impossible_turn_date_is_rejected(write_scenario):
    text = edit("date: 2023-12-31}", "date: 2023-02-29}")
    d = the_one(write_scenario, text)
    assert d.code == "SP205" and (d.line, d.col) == where(text, "2023-02-29")


def test_reversed_turn_range_is_rejected(write_scenario):
    text = edit("    title: Step up\n", "    title: Step up\n    turns: 2..1\n")
    d = the_one(write_scenario, text)
    assert d.code == "SP203" and (d.line, d.col) == where(text, "2..1")
    assert "backwards" in d.message and d.hint == "write '1..2'"


def test_unsupported_version_is_one_located_error(write_scenario):
    text = edit("spillover: 1", "spillover: 99")
    d = the_one(write_scenario, text)
    assert d.code == "SP207" and (d.line, d.col) == where(text, "99")


def test_schema_accepts_exactly_the_versions_the_loader_reads():
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(json_schema())
    doc = {"spillover": 1, "id": "x", "title": "X", "start": "2023",
           "turns": [{"label": "T0", "date": "2023"}]}
    for version in FORMAT_VERSIONS:
        assert validator.is_valid(dict(doc, spillover=version))
    for version in (0, max(FORMAT_VERSIONS) + 1, "1", True):
        assert not validator.is_valid(dict(doc, spillover=version)), version


def test_uncited_source_warning_has_a_position(tmp_path):
    from engine.format.loader import check_catalogues
    path = tmp_path / "sources.yaml"
    path.write_text("sources:\n  - {id: lonely, kind: news, title: Lonely}\n", encoding="utf-8")
    [d] = check_catalogues([path])
    assert d.code == "SP505" and (d.line, d.col) == (2, 10) and d.file == str(path)


@pytest.mark.parametrize("old, new, code, at", [
    ("    type: enum\n    values: [calm", "    type: enmu\n    values: [calm", "SP204", "enmu"),
    # a missing key: reported where the declaration's mapping starts
    ("    type: enum\n    values: [calm", "    values: [calm", "SP202", "values: [calm"),
    ("    initial: calm\n", "", "SP202", "type: enum\n    values: [calm"),
    ("range: [0, 3]", "range: [0]", "SP203", "[0]"),
    ("values: [calm, heightened, crisis]", "values: calm, heightened, crisis", "SP203",
     "calm, heightened, crisis"),
])
def test_a_declaration_missing_or_misspelling_a_key_is_still_declared(
        write_scenario, old, new, code, at):
    text = edit(old, new)
    d = the_one(write_scenario, text)
    assert d.code == code and (d.line, d.col) == where(text, at)


def test_impossible_date_says_how_many_days_the_month_has(write_scenario):
    text = edit("date: 2022-06,", "date: 2023-02-29,")
    d = the_one(write_scenario, text)
    assert d.message.endswith("not a real date: February 2023 has 28 days")


@pytest.mark.parametrize("old, new, code, at", [
    # an item missing a required key is still declared: its uses are not errors
    ("{id: precedent, date: 2022-06, title: A precedent}", "{id: precedent, date: 2022-06}",
     "SP202", "{id: precedent"),
    ("{id: precedent, date: 2022-06, title: A precedent}",
     "{id: precedent, date: 2022-13, title: A precedent}", "SP205", "2022-13"),
])
def test_an_event_with_a_mistake_is_still_declared(write_scenario, old, new, code, at):
    text = edit(old, new)
    d = the_one(write_scenario, text)
    line, col = where(text, at)
    assert d.code == code and (d.line, d.col) == (line, col)


@pytest.mark.parametrize("old, new, code, at", [
    # an item missing a required key still has what it holds checked
    ("    title: Step up\n", "", "SP202", "id: step"),
    ("{id: go, label: Go, effects: [level += 1]}", "{id: go, effects: [level += 1]}", "SP202",
     "{id: go"),
    ("{label: Tension, value: 1, when:", "{value: 1, when:", "SP202", "{value: 1, when:"),
])
def test_an_item_missing_a_key_still_has_its_body_checked(write_scenario, old, new, code, at):
    typo = ("[level += 1]", "[levl += 1]") if "go" in at else (
        "occurred(precedent)", "occured(precedent)") if "step" in at else (
        "tension >= heightened", "tensoin >= heightened")
    text = edit(old, new, *typo)
    _, diags = check_scenario(write_scenario(text))
    assert [d.code for d in diags] == [code, "SP402"], [d.format() for d in diags]
    assert (diags[0].line, diags[0].col) == where(text, at)


@pytest.mark.parametrize("old, new, at, hint", [
    ("cites: [precedent]", "cites: precedent", "precedent\n", "write [precedent]"),
    ("    initial: 0\n", "    initial: 0\n    rests_on: precedent\n", "precedent\n",
     "write [precedent]"),
    ("actors: {nato: NATO}", "actors: [nato]", "[nato]", None),
])
def test_a_name_where_a_list_is_expected_is_one_error(write_scenario, old, new, at, hint):
    text = edit(old, new)
    d = the_one(write_scenario, text)
    assert d.code == "SP203" and (d.line, d.col) == where(text, at)
    if hint:
        assert d.hint == hint


def test_one_mapping_where_a_list_is_expected_is_still_checked(write_scenario):
    text = edit("    options:\n      - {id: go, label: Go, effects: [level += 1]}",
                "    options: {id: go, label: Go, effects: [levl += 1]}")
    _, diags = check_scenario(write_scenario(text))
    assert [d.code for d in diags] == ["SP203", "SP402"]
    assert diags[0].hint == "put '- ' before each item (its first key)"
    assert (diags[1].line, diags[1].col) == where(text, "levl")


def test_a_misspelt_required_key_is_one_error(write_scenario):
    text = edit("    title: Step up\n", "    tilte: Step up\n")
    d = the_one(write_scenario, text)
    assert d.code == "SP201" and d.hint == "did you mean 'title'?"
    assert (d.line, d.col) == where(text, "tilte")


def test_an_option_without_id_still_has_its_effects_checked(write_scenario):
    text = edit("{id: go, label: Go, effects: [level += 1]}", "{label: Go, effects: [levl += 1]}")
    _, diags = check_scenario(write_scenario(text))
    assert [d.code for d in diags] == ["SP202", "SP402"]
    assert (diags[1].line, diags[1].col) == where(text, "levl")
