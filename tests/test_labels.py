"""Labels: enum values and set members in the room's words, from the scenario or its tables."""

import json

import jsonschema
import pytest

from engine.bundled import main_scenario, tutorial_scenario
from engine.debrief.compare import compare
from engine.debrief.compare import to_markdown as compare_md
from engine.debrief.report import after_action_report
from engine.debrief.report_render import to_markdown
from engine.diagnostics import DiagnosticError
from engine.format.loader import load_scenario
from engine.format.schema import json_schema
from engine.format.strings import source_strings
from engine.format.tables import translate
from engine.play.player_view import player_view
from engine.play.session import Session, describe_action
from engine.play.views import variable_views_at

LABELS = """    initial: negotiating
    labels: {agreed: "Agreed by the Council", open: "Open in Tokyo"}
"""
SET_LABELS = """    initial: []
    labels:
      south_korea: "the Republic of Korea"
"""


def write(tmp_path, text, name="labelled.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def labelled_text(extra=""):
    text = tutorial_scenario().read_text(encoding="utf-8")
    assert "    initial: negotiating\n" in text and "    initial: []\n" in text
    text = text.replace("    initial: negotiating\n", LABELS + extra, 1)
    return text.replace("    initial: []\n", SET_LABELS, 1)


@pytest.fixture
def labelled(tmp_path):
    return load_scenario(write(tmp_path, labelled_text()))


def test_labels_give_the_words_and_unlabelled_values_read_from_their_ids(labelled):
    office = labelled.variable("office")
    assert [office.word(i) for i in range(3)] == ["negotiating", "Agreed by the Council",
                                                  "Open in Tokyo"]
    assert office.show(1) == "agreed" and office.parse("agreed") == 1      # typed as ids
    partners = labelled.variable("partners_briefed")
    assert partners.words(frozenset({"south_korea", "new_zealand"})) == \
        "the Republic of Korea, New Zealand"
    assert partners.words(frozenset()) == "none"


def test_labels_are_prose_the_logic_hash_does_not_change(labelled):
    plain = load_scenario(tutorial_scenario())
    assert labelled.logic_hash == plain.logic_hash and labelled.content_hash != plain.content_hash


def test_a_label_of_a_value_the_variable_lacks_is_located_with_a_suggestion(tmp_path):
    text = labelled_text().replace("open: \"Open in Tokyo\"", "opne: \"Open in Tokyo\"")
    path = write(tmp_path, text)
    with pytest.raises(DiagnosticError) as e:
        load_scenario(path)
    (d,) = e.value.diagnostics
    line = text.splitlines().index(next(x for x in text.splitlines() if "opne:" in x)) + 1
    assert (d.code, d.line, d.col) == ("SP407", line, text.splitlines()[line - 1].index("opne") + 1)
    assert "'opne' in the labels of 'office' is not a value of it" in d.message
    assert "did you mean 'open'" in d.hint


@pytest.mark.parametrize("bad, code, fragment", [
    ("    labels: {Agreed: x}\n", "SP206", "is not a snake_case id"),
    ("    labels: [agreed]\n", "SP203", "a mapping of value to its label"),
    ("    labels: {agreed: [x]}\n", "SP203", "the label of 'agreed'"),
])
def test_malformed_labels_are_located(tmp_path, bad, code, fragment):
    text = tutorial_scenario().read_text(encoding="utf-8").replace(
        "    initial: negotiating\n", "    initial: negotiating\n" + bad, 1)
    with pytest.raises(DiagnosticError) as e:
        load_scenario(write(tmp_path, text))
    d = e.value.diagnostics[0]
    assert d.code == code and fragment in d.message and d.line == text.splitlines().index(
        bad.rstrip("\n")) + 1


def test_labels_on_a_number_are_an_error_at_the_key(tmp_path):
    text = tutorial_scenario().read_text(encoding="utf-8").replace(
        "    range: [0, 3]\n", "    range: [0, 3]\n    labels: {low: Low}\n", 1)
    with pytest.raises(DiagnosticError) as e:
        load_scenario(write(tmp_path, text))
    (d,) = e.value.diagnostics
    assert d.code == "SP201" and "'labels' applies to enum and set variables" in d.message
    assert d.line == text.splitlines().index("    labels: {low: Low}") + 1 and d.col == 5


def test_the_json_schema_accepts_labels_and_refuses_a_list():
    schema = json_schema()
    var = {"type": "enum", "values": ["a", "b"], "initial": "a"}
    validator = jsonschema.Draft202012Validator(schema["$defs"]["variable"] | {
        "$defs": schema["$defs"]})
    assert validator.is_valid(var | {"labels": {"a": "Alpha"}})
    assert not validator.is_valid(var | {"labels": ["a"]})


def test_labels_are_keys_of_the_string_tables_and_translate(tmp_path, labelled):
    src = source_strings(labelled)
    assert src["variable.office.value.agreed"] == "Agreed by the Council"
    assert src["variable.office.value.negotiating"] == "negotiating"     # as before: the id
    assert src["variable.partners_briefed.value.south_korea"] == "the Republic of Korea"
    assert src["variable.partners_briefed.value.australia"] == "australia"
    path = tmp_path / "labelled.yaml"
    (tmp_path / "labelled.de.yaml").write_text(
        "spillover-strings: 1\nlang: de\nstrings:\n"
        "  variable.partners_briefed.value.south_korea: {of: '00000000', text: Südkorea}\n"
        "  variable.office.value.agreed: {of: '00000000', text: vereinbart}\n",
        encoding="utf-8")
    de = translate(load_scenario(path), "de").scenario
    assert de.variable("partners_briefed").words(frozenset({"south_korea"})) == "Südkorea"
    assert de.variable("office").words(1) == "vereinbart"


def test_an_actors_id_in_a_set_reads_as_the_actor_and_is_not_a_separate_key():
    sc = load_scenario(main_scenario())
    makeup = sc.variable("mission_makeup")
    assert makeup.words(frozenset({"france"})) == sc.actors["france"]
    assert not any(k.startswith("variable.mission_makeup.value.") for k in source_strings(sc))


def test_labels_are_shown_wherever_the_room_reads_values(tmp_path, labelled):
    s = Session.start(labelled, seed=3, group="North", log_path=tmp_path / "n.jsonl",
                      clock=lambda: "2026-01-01T09:00:00+00:00")
    s.next_turn()
    out = s.override("office", "agreed", "the Council agrees")
    assert out.message == "Override: Liaison office negotiating → Agreed by the Council"
    assert describe_action(out.record, labelled) == \
        "override Liaison office = Agreed by the Council"
    s.override("partners_briefed", "{south_korea}", "briefed")
    views = {v.id: v for v in variable_views_at(labelled, s.state)}
    assert views["office"].shown == "Agreed by the Council" and views["office"].value == "agreed"
    assert views["partners_briefed"].shown == "the Republic of Korea"
    s.close()
    pv = {v.id: v.shown for v in player_view(s.log_path, labelled).situation}
    assert pv["office"] == "Agreed by the Council"
    md = to_markdown(after_action_report(s.log_path, labelled))
    assert "Liaison office: negotiating → Agreed by the Council" in md
    assert "| Liaison office | negotiating | Agreed by the Council | **changed** |" in md
    other = Session.start(labelled, seed=3, group="South", log_path=tmp_path / "s.jsonl")
    other.close()
    cmp = compare_md(compare([s.log_path, other.log_path], labelled))
    assert "| Liaison office | negotiating | Agreed by the Council | negotiating | **yes** |" in cmp


def test_explore_prints_values_by_their_labels(tmp_path, capsys):
    from tui.cli import main
    path = write(tmp_path, labelled_text())
    assert main(["explore", str(path)]) == 0
    out = capsys.readouterr().out
    assert "office=Agreed by the Council" in out
    assert "office: negotiating " in out and " · Open in Tokyo " in out
    assert main(["explore", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert "agreed" in data["marginals"]["office"]          # the machine form keeps the ids
