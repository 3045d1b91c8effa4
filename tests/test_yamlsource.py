"""Tests for engine.format.yamlsource: the safe, position-keeping YAML loader."""

from __future__ import annotations

import os
import sys

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.diagnostics import Pos
from engine.format import yamlsource as ys
from engine.format.yamlsource import LocDict, LocList, LocStr, load_yaml_file, load_yaml_text

LOADERS = [yaml.SafeLoader] + ([yaml.CSafeLoader] if yaml.__with_libyaml__ else [])


@pytest.fixture(params=LOADERS, ids=lambda L: L.__name__)
def both(request, monkeypatch):
    """Run a test with libyaml's parser and with PyYAML's pure-Python one."""
    monkeypatch.setattr(ys, "_Loader", request.param)
    return request.param


def codes(diags):
    return [d.code for d in diags]


def where(diag):
    return (diag.line, diag.col)


def lc(pos: Pos):
    return (pos.line, pos.col)


BILLION_LAUGHS = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(f"{c}: &{c} [" + ",".join([f"*{p}"] * 9) + "]\n"
              for p, c in zip("abcdefgh", "bcdefghi"))
)


# ---------------------------------------------------------------------------- values

def test_plain_data_types(both):
    data, diags = load_yaml_text(
        "s: text\ni: 42\nh: 0x1f\nf: 1.5\ninf: .inf\nt: true\nyes_value: yes\nn: null\n"
        "tilde: ~\nempty:\nq: '42'\nlist: [1, two]\n")
    assert diags == []
    assert data == {"s": "text", "i": 42, "h": 31, "f": 1.5, "inf": float("inf"), "t": True,
                    "yes_value": True, "n": None, "tilde": None, "empty": None, "q": "42",
                    "list": [1, "two"]}
    assert type(data["i"]) is int and type(data["t"]) is bool
    assert isinstance(data, LocDict) and isinstance(data["list"], LocList)
    assert all(isinstance(k, LocStr) for k in data)
    assert isinstance(data["s"], LocStr) and isinstance(data["q"], LocStr)


def test_dates_and_timestamps_stay_strings(both):
    data, diags = load_yaml_text(
        "start: 2023-07-01\nat: 2023-07-01T10:30:00Z\nspaced: 2001-12-14 21:59:43.10 -5\n"
        "2024-01-02: keyed by a date\nlist: [2023-07-01]\nexplicit: !!timestamp 2020-01-01\n")
    assert diags == []
    assert data["start"] == "2023-07-01" and isinstance(data["start"], LocStr)
    assert data["at"] == "2023-07-01T10:30:00Z"
    assert data["spaced"] == "2001-12-14 21:59:43.10 -5"
    assert data["2024-01-02"] == "keyed by a date"
    assert data["list"] == ["2023-07-01"] and isinstance(data["list"][0], LocStr)
    assert data["explicit"] == "2020-01-01"
    assert lc(data["start"].pos) == (1, 8)


def test_scalar_keys_are_their_source_text(both):
    data, diags = load_yaml_text("on: a\nyes: b\n1: c\n1.5: d\nnull: e\n~: f\n0x10: g\n'2': h\n")
    assert diags == []
    assert list(data) == ["on", "yes", "1", "1.5", "null", "~", "0x10", "2"]
    assert all(type(k) is LocStr for k in data)


def test_styles(both):
    data, _ = load_yaml_text("p: plain\ns: 'single'\nd: \"double\"\nl: |\n  lit\nf: >\n  fold\n")
    assert [data[k].style for k in "psdlf"] == [None, "'", '"', "|", ">"]
    assert data["l"] == "lit\n" and data["f"] == "fold\n"


def test_explicit_plain_tags_are_allowed(both):
    data, diags = load_yaml_text("a: !!str 12\nb: !!int '7'\nc: !!float 2\nd: !!bool 'true'\n"
                                 "e: !!null ''\nf: !!map {x: 1}\ng: !!seq [1]\n")
    assert diags == []
    assert data == {"a": "12", "b": 7, "c": 2.0, "d": True, "e": None, "f": {"x": 1},
                    "g": [1]}
    assert isinstance(data["a"], LocStr) and lc(data["a"].pos) == (1, 10)


def test_aliases_expand_to_independent_copies(both):
    data, diags = load_yaml_text("base: &b {x: 1}\nuse: *b\nlist:\n  - *b\n")
    assert diags == []
    assert data["use"] == {"x": 1} and data["list"] == [{"x": 1}]
    assert data["use"] is not data["base"]
    assert lc(data.value_pos["use"]) == (2, 6)  # where the alias is written
    assert lc(data.value_pos["base"]) == (1, 7)  # where the value (its anchor) starts
    assert lc(data["use"].pos) == (1, 10)  # where the anchored mapping's brace is
    assert lc(data["list"].item_pos[0]) == (4, 5)


def test_redefined_anchor_refers_to_latest(both):
    data, diags = load_yaml_text("a: &x 1\nb: &x 2\nc: *x\nd: &y [&y 3, *y]\n")
    assert diags == []
    assert data == {"a": 1, "b": 2, "c": 2, "d": [3, 3]}


def test_plain_merge_and_equals_signs_as_values_are_text(both):
    data, diags = load_yaml_text("a: <<\nb: =\n")
    assert diags == [] and data == {"a": "<<", "b": "="}


# ---------------------------------------------------------------------------- positions

def test_positions_of_keys_values_and_items(both):
    text = ("title: Operation Spillover\n"
            "actors:\n"
            "  - id: blue\n"
            "    name: \"Blue team\"\n"
            "  - id: red\n"
            "nested: {a: 'x', b: [1, 2]}\n")
    data, diags = load_yaml_text(text, "scen.yaml")
    assert diags == []
    assert lc(data.pos) == (1, 1)
    assert lc(data.key_pos["title"]) == (1, 1)
    assert lc(data.value_pos["title"]) == (1, 8)
    assert lc(data["title"].pos) == (1, 8) and data["title"].pos.file == "scen.yaml"
    assert lc(data.key_pos["actors"]) == (2, 1)
    assert lc(data.value_pos["actors"]) == (3, 3)
    actors = data["actors"]
    assert [lc(p) for p in actors.item_pos] == [(3, 5), (5, 5)]
    assert lc(actors[0].pos) == (3, 5)
    assert lc(actors[0].key_pos["name"]) == (4, 5)
    assert lc(actors[0].value_pos["name"]) == (4, 11)  # the opening quote
    assert lc(actors[0]["name"].pos) == (4, 12)  # first character inside the quotes
    assert lc(actors[1]["id"].pos) == (5, 9)
    nested = data["nested"]
    assert lc(nested.pos) == (6, 9)
    assert lc(nested.key_pos["a"]) == (6, 10)
    assert lc(nested["a"].pos) == (6, 14)
    assert lc(nested.value_pos["b"]) == (6, 21)
    assert [lc(p) for p in nested["b"].item_pos] == [(6, 22), (6, 25)]


def test_keys_carry_their_text_position(both):
    data, _ = load_yaml_text("plain: 1\n\"quoted key\": 2\n")
    keys = list(data)
    assert lc(keys[0].pos) == (1, 1)
    assert lc(keys[1].pos) == (2, 2) and keys[1].style == '"'
    assert lc(data.key_pos["quoted key"]) == (2, 1)


def test_block_scalar_position_is_its_first_text_line(both):
    data, diags = load_yaml_text("intro: |\n\n    First line\n    second\nnext: >-\n  folded\n")
    assert diags == []
    assert data["intro"] == "\nFirst line\nsecond\n"
    assert lc(data.value_pos["intro"]) == (1, 8)
    assert lc(data["intro"].pos) == (3, 5)
    assert lc(data["next"].pos) == (6, 3)


def test_anchor_and_tag_before_a_scalar_are_skipped(both):
    data, _ = load_yaml_text("a: &x !!str 'q'\nb: &y\n  plain\nc: !!str |\n  block\n")
    assert lc(data.value_pos["a"]) == (1, 4)
    assert lc(data["a"].pos) == (1, 14)
    assert lc(data["b"].pos) == (3, 3)
    assert lc(data["c"].pos) == (5, 3)


def test_crlf_line_endings(both):
    data, diags = load_yaml_text(b"a: 1\r\nb:\r\n  - 'x'\r\n  - y\r\nc: |\r\n  t\r\n")
    assert diags == []
    assert data == {"a": 1, "b": ["x", "y"], "c": "t\n"}
    assert lc(data.key_pos["b"]) == (2, 1)
    assert lc(data["b"][0].pos) == (3, 6)
    assert lc(data["b"][1].pos) == (4, 5)
    assert lc(data["c"].pos) == (6, 3)


def test_crlf_syntax_error_line(both):
    _, diags = load_yaml_text(b"a: 1\r\nb: 2\r\nc: [1\r\n")
    assert codes(diags) == ["SP104"] and diags[0].line >= 3


def test_cyrillic_and_japanese_text_and_columns(both):
    text = "назва: \"Привет, мир\"\n場所: 東京 駅\nlist: [日本, 'ёж']\nx: 1\n"
    for data_in in (text, text.encode("utf-8")):
        data, diags = load_yaml_text(data_in)
        assert diags == []
        assert data == {"назва": "Привет, мир", "場所": "東京 駅", "list": ["日本", "ёж"],
                        "x": 1}
        assert lc(data["назва"].pos) == (1, 9)
        assert lc(data["場所"].pos) == (2, 5)
        assert [lc(p) for p in data["list"].item_pos] == [(3, 8), (3, 12)]
        assert lc(data["list"][1].pos) == (3, 13)


def test_utf8_bom_is_fine(both):
    for data_in in (b"\xef\xbb\xbfa: 'x'\n", "\ufeffa: 'x'\n"):
        data, diags = load_yaml_text(data_in)
        assert diags == [] and data == {"a": "x"}
        assert "\ufeff" not in "".join(data)
        assert lc(data.key_pos["a"]) == (1, 1) and lc(data["a"].pos) == (1, 5)


# ---------------------------------------------------------------------------- SP101

def test_sp101_missing_file(tmp_path):
    path = tmp_path / "nope.yaml"
    data, diags = load_yaml_file(path)
    assert data is None and codes(diags) == ["SP101"]
    assert str(path) in diags[0].message and diags[0].hint
    assert diags[0].file == str(path)


def test_sp101_directory_and_display_name(tmp_path):
    data, diags = load_yaml_file(tmp_path, display_name="scenarios/")
    assert data is None and codes(diags) == ["SP101"]
    assert "scenarios/" in diags[0].message and diags[0].file == "scenarios/"
    assert "folder" in diags[0].message


@pytest.mark.skipif(sys.platform == "win32" or (hasattr(os, "geteuid") and os.geteuid() == 0),
                    reason="permissions are not enforced here")
def test_sp101_permission_denied(tmp_path):
    path = tmp_path / "secret.yaml"
    path.write_text("a: 1\n")
    path.chmod(0)
    try:
        data, diags = load_yaml_file(path)
    finally:
        path.chmod(0o600)
    assert data is None and codes(diags) == ["SP101"]
    assert "permission" in diags[0].message


def test_load_yaml_file_reads_and_names(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_bytes("name: Ōsaka\nbad: [\n".encode())
    data, diags = load_yaml_file(path, display_name="ok.yaml")
    assert data is None and codes(diags) == ["SP104"] and diags[0].file == "ok.yaml"
    path.write_bytes("name: Ōsaka\n".encode())
    data, diags = load_yaml_file(str(path))
    assert diags == [] and data == {"name": "Ōsaka"}
    assert data["name"].pos.file == str(path)


# ---------------------------------------------------------------------------- SP102

def test_sp102_not_utf8():
    data, diags = load_yaml_text(b"a: 1\nb: 2\nc: caf\xe9\n", "f.yaml")
    assert data is None and codes(diags) == ["SP102"]
    d = diags[0]
    assert "byte offset 16" in d.message and "line 3" in d.message
    assert (d.file, d.line, d.col) == ("f.yaml", 3, 7)
    assert d.hint == "save the file as UTF-8"


def test_sp102_utf16_file():
    data, diags = load_yaml_text("a: 1\n".encode("utf-16"))
    assert data is None and codes(diags) == ["SP102"] and "byte offset 0" in diags[0].message


def test_sp102_after_bom_counts_bom_bytes():
    _, diags = load_yaml_text(b"\xef\xbb\xbfx: \xff\n")
    assert codes(diags) == ["SP102"] and "byte offset 6" in diags[0].message
    assert where(diags[0]) == (1, 4)


# ---------------------------------------------------------------------------- SP103

@pytest.mark.parametrize("text", ["", "   \n\n", "# just a comment\n# another\n", "---\n",
                                  "--- # nothing\n...\n", b""])
def test_sp103_empty(both, text):
    data, diags = load_yaml_text(text)
    assert data is None and codes(diags) == ["SP103"] and diags[0].line == 0


def test_explicit_null_document_is_not_empty(both):
    assert load_yaml_text("null\n") == (None, [])


# ---------------------------------------------------------------------------- SP104

@pytest.mark.parametrize("text, line", [
    ("a: 1\nb: [1, 2\n", None),
    ("a: 1\nb: c: d\n", 2),
    ("a:\n\t- b\n", 2),
    ("a: 'unclosed\n", None),
    ("- a\nb: c\n", 2),
    ("key: @mention\n", 1),
])
def test_sp104_syntax_errors(both, text, line):
    data, diags = load_yaml_text(text, "s.yaml")
    assert data is None and codes(diags) == ["SP104"]
    d = diags[0]
    assert d.line >= 1 and d.col >= 1 and d.file == "s.yaml" and d.hint
    if line is not None:
        assert d.line == line
    assert "Traceback" not in d.message


def test_sp104_mapping_value_position_and_hint(both):
    _, diags = load_yaml_text("title: Phase 1: setup\n")
    assert codes(diags) == ["SP104"] and where(diags[0]) == (1, 15)
    assert "quote" in diags[0].hint


def test_sp104_tab_hint(both):
    _, diags = load_yaml_text("a:\n\t- b\n")
    assert "tabs" in diags[0].hint


def test_sp104_control_character_located(both):
    _, diags = load_yaml_text("a: 1\nb: x\x07y\n")
    assert codes(diags) == ["SP104"] and where(diags[0]) == (2, 5)
    assert "U+0007" in diags[0].message


def test_sp104_undefined_alias(both):
    data, diags = load_yaml_text("a: 1\nb: *nowhere\n")
    assert data is None and codes(diags) == ["SP104"] and where(diags[0]) == (2, 4)
    assert "nowhere" in diags[0].message


def test_sp104_bad_explicitly_typed_value(both):
    _, diags = load_yaml_text("n: !!int many\n")
    assert codes(diags) == ["SP104"] and where(diags[0]) == (1, 10)


# ---------------------------------------------------------------------------- SP105

def test_sp105_duplicate_keys_all_reported(both):
    text = "a: 1\nb: 2\na: 3\nnested:\n  x: 1\n  x: 2\nb: 4\n"
    data, diags = load_yaml_text(text)
    assert codes(diags) == ["SP105", "SP105", "SP105"]
    assert [where(d) for d in diags] == [(3, 1), (6, 3), (7, 1)]
    assert "line 1" in diags[0].hint and "line 5" in diags[1].hint and "line 2" in diags[2].hint
    assert data == {"a": 1, "b": 2, "nested": {"x": 1}}  # the first one is kept


def test_sp105_quoted_and_plain_duplicate(both):
    _, diags = load_yaml_text("name: 1\n'name': 2\n")
    assert codes(diags) == ["SP105"]


# ---------------------------------------------------------------------------- SP106

@pytest.mark.parametrize("text, col", [
    ("x: !!python/object/apply:os.system ['echo hi']\n", 4),
    ("x: !!python/name:os.system\n", 4),
    ("x: !custom value\n", 4),
    ("x: !!binary aGVsbG8=\n", 4),
    ("x: !!set {a, b}\n", 4),
    ("x: !!omap [a: 1, b: 2]\n", 4),
    ("x: !!pairs [a: 1]\n", 4),
    ("x: !<tag:example.com,2000:app/foo> bar\n", 4),
    ("x: !!str [a]\n", 4),
])
def test_sp106_refused_tags(both, text, col):
    data, diags = load_yaml_text(text)
    assert codes(diags) == ["SP106"] and where(diags[0]) == (1, col)
    assert data == {"x": None}


def test_sp106_never_executes_anything(both, tmp_path):
    marker = tmp_path / "pwned"
    text = f"x: !!python/object/apply:os.system ['touch {marker}']\n"
    load_yaml_text(text)
    assert not marker.exists()


def test_sp106_all_reported_including_keys(both):
    _, diags = load_yaml_text("a: !one 1\nb: [!two 2]\n!three k: v\n")
    assert codes(diags) == ["SP106"] * 3
    assert [d.line for d in diags] == [1, 2, 3]


# ---------------------------------------------------------------------------- SP107

def test_sp107_billion_laughs_is_bounded():
    data, diags = load_yaml_text(BILLION_LAUGHS)  # the real limit, the default parser
    assert data is None and codes(diags) == ["SP107"]
    assert diags[0].line >= 2  # at an alias, not at the top of the file
    assert BILLION_LAUGHS.splitlines()[diags[0].line - 1][diags[0].col - 1] == "*"


@pytest.fixture
def small_budget(monkeypatch):
    monkeypatch.setattr(ys, "MAX_NODE_VISITS", 1000)


def test_sp107_billion_laughs_with_both_parsers(both, small_budget):
    data, diags = load_yaml_text(BILLION_LAUGHS)
    assert data is None and codes(diags) == ["SP107"] and diags[0].line >= 2


def test_sp107_reported_at_an_alias(both, small_budget):
    text = "big: &big [" + ",".join(["x"] * 100) + "]\nuse: [" + ",".join(["*big"] * 20) + "]\n"
    data, diags = load_yaml_text(text)
    assert data is None and codes(diags) == ["SP107"]
    assert diags[0].line == 2 and text.splitlines()[1][diags[0].col - 1] == "*"


def test_moderate_alias_use_is_fine(both, small_budget):
    text = "big: &big [" + ",".join(["x"] * 10) + "]\nuse: [" + ",".join(["*big"] * 50) + "]\n"
    data, diags = load_yaml_text(text)
    assert diags == [] and len(data["use"]) == 50


def test_large_file_without_aliases_is_fine(both, small_budget):
    # the budget only limits what aliases add: a file's own nodes always fit
    data, diags = load_yaml_text("[" + ",".join(["1"] * 5000) + "]")
    assert diags == [] and len(data) == 5000


def test_a_refused_tag_behind_many_aliases_is_reported_once(both):
    _, diags = load_yaml_text("a: &a !x 1\nb: &b !y [1]\nc: [*a, *a, *b, *b]\n")
    assert codes(diags) == ["SP106", "SP106"]


@pytest.mark.parametrize("text, at", [
    ("a: &a [1, *a]\n", (1, 11)),
    ("a: &a\n  b: *a\n", (2, 6)),
    ("a: &a {b: [c, {d: *a}]}\n", (1, 19)),
])
def test_sp107_recursive_alias(both, text, at):
    data, diags = load_yaml_text(text)
    assert data is None and codes(diags) == ["SP107"] and where(diags[0]) == at
    assert "recursive" in diags[0].message


def test_sp107_deep_nesting(both):
    data, diags = load_yaml_text("[" * 500 + "]" * 500)
    assert data is None and codes(diags) == ["SP107"]


def test_sp107_deep_nesting_through_aliases(both):
    n = 150
    text = f"a: &a {'[' * n}1{']' * n}\nb: &b {'[' * n}*a{']' * n}\n"
    data, diags = load_yaml_text(text)
    assert data is None and codes(diags) == ["SP107"]


# ---------------------------------------------------------------------------- SP108

def test_sp108_merge_key(both):
    text = "base: &base {x: 1}\nthing:\n  <<: *base\n  y: 2\n"
    data, diags = load_yaml_text(text)
    assert codes(diags) == ["SP108"] and where(diags[0]) == (3, 3)
    assert data["thing"] == {"y": 2}


def test_quoted_merge_key_is_an_ordinary_key(both):
    data, diags = load_yaml_text("'<<': 1\n")
    assert diags == [] and data == {"<<": 1}


# ---------------------------------------------------------------------------- SP109

@pytest.mark.parametrize("text, at", [
    ("? [a]\n: b\n", (1, 3)),
    ("? {a: 1}\n: b\n", (1, 3)),
    ("{[a, b]: c}\n", (1, 2)),
    ("x: &k [a]\n*k : v\n", (2, 1)),
    ("?\n: empty key\n", None),
])
def test_sp109_non_string_keys(both, text, at):
    data, diags = load_yaml_text(text)
    assert codes(diags) == ["SP109"]
    if at is not None:
        assert where(diags[0]) == at
    assert isinstance(data, dict)


# ---------------------------------------------------------------------------- SP110

def test_sp110_more_than_one_document(both):
    data, diags = load_yaml_text("a: 1\n---\nb: 2\n---\nc: 3\n")
    assert codes(diags) == ["SP110"] and where(diags[0]) == (2, 1)
    assert data == {"a": 1}


def test_explicit_single_document_markers_are_fine(both):
    data, diags = load_yaml_text("---\na: 1\n...\n")
    assert diags == [] and data == {"a": 1}


# ---------------------------------------------------------------------------- all at once

def test_all_problems_reported_in_one_pass(both):
    text = ("a: 1\n"
            "a: 2\n"
            "b: !!binary aGk=\n"
            "c:\n"
            "  <<: {x: 1}\n"
            "? [k]\n"
            ": v\n"
            "---\n"
            "d: 1\n")
    data, diags = load_yaml_text(text)
    assert codes(diags) == ["SP105", "SP106", "SP108", "SP109", "SP110"]
    assert [d.line for d in diags] == [2, 3, 5, 6, 8]
    assert data == {"a": 1, "b": None, "c": {}}


# ---------------------------------------------------------------------------- never raises

def _check_result(result):
    data, diags = result
    assert isinstance(diags, list)
    for d in diags:
        assert d.code.startswith("SP1")
        if d.line == 0:
            assert d.code in ("SP101", "SP102", "SP103"), d
        else:
            assert d.line >= 1 and d.col >= 1, d
        d.format()
    if any(d.code in ("SP101", "SP102", "SP103", "SP104", "SP107") for d in diags):
        assert data is None


@settings(max_examples=200, deadline=None)
@given(st.binary())
def test_property_arbitrary_bytes_never_raise(blob):
    _check_result(load_yaml_text(blob))


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_property_arbitrary_text_never_raises(text):
    _check_result(load_yaml_text(text))


YAMLISH = st.lists(st.sampled_from(
    ["a", ":", " ", "\n", "  ", "-", "[", "]", "{", "}", ",", "&x", "*x", "!!str", "!t", "'",
     '"', "|", ">", "#", "<<", "?", "---", "1", "on", "2023-01-01", "\t", "é", "日", "\r\n"]),
    max_size=40).map("".join)


@settings(max_examples=100, deadline=None)
@given(YAMLISH)
def test_property_yaml_like_text_never_raises(text):
    result = load_yaml_text(text)
    _check_result(result)
    _check_positions(result[0])


def _check_positions(value):
    """Every located value the loader returns has a real 1-based position."""
    if isinstance(value, (LocStr, LocDict, LocList)):
        assert value.pos.line >= 1 and value.pos.col >= 1
    if isinstance(value, LocDict):
        assert set(value.key_pos) == set(value) == set(value.value_pos)
        for key, item in value.items():
            _check_positions(key)
            _check_positions(item)
    elif isinstance(value, LocList):
        assert len(value.item_pos) == len(value)
        for item in value:
            _check_positions(item)


def _located(value):
    """A value with every position and style spelled out, for comparing two loaders."""
    if isinstance(value, LocDict):
        return ("map", value.pos, [(_located(k), value.key_pos[k], value.value_pos[k],
                                    _located(v)) for k, v in value.items()])
    if isinstance(value, LocList):
        return ("seq", value.pos, list(value.item_pos), [_located(v) for v in value])
    if isinstance(value, LocStr):
        return ("str", str(value), value.pos, value.style)
    return (type(value).__name__, value)


FAST_PATH_TEXT = st.lists(st.sampled_from(
    ["a", "b", ":", " ", "\n", "  ", "- ", "[", "]", "{", "}", ", ", "'", '"', "|", ">",
     "#", "1", "on", "2023-01-01", "é", "日", "x: y\n", "  - z\n", "k: 'q'\n"]),
    max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(FAST_PATH_TEXT)
def test_property_fast_and_event_paths_agree(text):
    """The C-composer fast path and the event-driven path give identical results."""
    import engine.format.yamlsource as ys
    fast = load_yaml_text(text)
    saved = ys._FAST
    ys._FAST = False
    try:
        slow = load_yaml_text(text)
    finally:
        ys._FAST = saved
    assert _located(fast[0]) == _located(slow[0])
    assert [(d.code, d.message, d.line, d.col, d.hint) for d in fast[1]] == \
        [(d.code, d.message, d.line, d.col, d.hint) for d in slow[1]]
