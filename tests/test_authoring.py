"""The editor's questions, answered without a protocol: engine.authoring (issue 15)."""

from engine.authoring import queries as Q
from engine.authoring.outline import outline
from engine.bundled import main_scenario, tutorial_scenario
from engine.format.loader import check_scenario_texts


def _pos(text, needle, offset=0):
    i = text.index(needle) + offset
    return text.count("\n", 0, i), i - (text.rfind("\n", 0, i) + 1)


def _labels(items):
    return [c.label for c in items]


def test_key_completion_follows_the_structure():
    text = tutorial_scenario().read_text(encoding="utf-8")
    o = outline(check_scenario_texts(tutorial_scenario()))
    line, _ = _pos(text, "    title: Japan presses for an agreement")
    edited = text.splitlines()
    edited[line] = "    ti"
    labels = _labels(Q.completions("\n".join(edited), line, 6, o))
    assert "title" in labels and "options" in labels and "spillover" not in labels
    assert Q.object_at(["branches", "options"]) == "option"
    assert Q.object_at(["state", "office"]) == "variable"
    assert Q.object_at(["branches", "adjudication", "modifiers"]) == "modifier"


def test_expression_completion_of_options_and_enum_values():
    o = outline(check_scenario_texts(tutorial_scenario()))
    options = _labels(Q.expression_completions("chosen(press_negotiations, ", o))
    assert options and all(
        o.of("option", f"press_negotiations.{x}") is not None for x in options)
    assert _labels(Q.expression_completions("office == ", o)) == ["negotiating", "agreed", "open"]
    general = _labels(Q.expression_completions("", o))
    assert {"office", "turn", "occurred", "not"} <= set(general)


def test_hover_on_variable_branch_and_event_with_footnotes():
    path = main_scenario()
    text = path.read_text(encoding="utf-8")
    o = outline(check_scenario_texts(path))
    variable = o.definitions[[d.kind for d in o.definitions].index("variable")]
    assert variable.hover.startswith(f"**{variable.data['type']}**")
    branch = next(d for d in o.definitions if d.kind == "branch" and d.data.get("when"))
    assert "precondition" in branch.hover
    event = next(d for d in o.definitions if d.kind == "event"
                 and any(c.get("footnotes") for c in d.data.get("sources") or []))
    assert event.hover.startswith(f"**event** `{event.name}` — {event.data['date']}")
    assert "footnote" in event.hover
    # and through the query, from a use in the scenario text
    use = f"occurred({event.name})"
    if use in text:
        line, col = _pos(text, use, len("occurred("))
        assert Q.hover(text, line, col, o) == event.hover


def test_definition_reaches_into_the_catalogue():
    path = main_scenario()
    text = path.read_text(encoding="utf-8")
    o = outline(check_scenario_texts(path))
    line, col = _pos(text, "occurred(", len("occurred(") + 1)
    [loc] = Q.definition(text, line, col, o)
    assert loc.path.name == "events.yaml"
    target = loc.path.read_text(encoding="utf-8").splitlines()[loc.line]
    word = Q.word_at(text, line, col)[0]
    assert target[loc.start:loc.end] == word


def test_outline_survives_errors():
    text = tutorial_scenario().read_text(encoding="utf-8").replace(
        "office == negotiating", "ofice == negotiating")
    checked = check_scenario_texts(tutorial_scenario(), {tutorial_scenario(): text})
    assert checked.scenario is None and [d.code for d in checked.diagnostics] == ["SP402"]
    assert "office" in outline(checked).names("variable")


def test_symbols_of_a_file():
    text = tutorial_scenario().read_text(encoding="utf-8")
    found = {s.name: s for s in Q.symbols(text)}
    assert {"state", "branches", "turns"} <= set(found)
    branch = next(c for c in found["branches"].children if c.name == "press_negotiations")
    assert branch.children and text.splitlines()[branch.line][branch.start:branch.end] == \
        "press_negotiations"


def test_unsaved_text_is_checked_in_place_of_the_file(tmp_path):
    """The editor's buffer, not the file on disk, is what is checked (also where a word
    is read back, as for an unquoted `off` that YAML turned into false)."""
    path = tmp_path / "tutorial.yaml"
    path.write_text(tutorial_scenario().read_text(encoding="utf-8"), encoding="utf-8")
    text = path.read_text(encoding="utf-8").replace(
        "values: [negotiating, agreed, open]", "values: [negotiating, agreed, open, off]").replace(
        "office = open", "office = off")
    assert "office = off" in text
    checked = check_scenario_texts(path, {path: text})
    assert [d.code for d in checked.diagnostics] == ["SP203"]
    assert check_scenario_texts(path).diagnostics == []     # the file itself is untouched
