"""Loading and validation: every problem located, with a code and a hint; never a traceback."""


import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.bundled import tutorial_scenario
from engine.diagnostics import CODES, DiagnosticError
from engine.format.loader import check_scenario, load_scenario

MINIMAL = """\
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
state:
  level:
    type: int
    range: [0, 3]
    initial: 0
branches:
  - id: step
    title: Step up
    actor: nato
    when: occurred(precedent) and level < 3
    cites: [precedent]
    options:
      - {id: go, label: Go, effects: [level += 1]}
"""


def codes(diags):
    return [d.code for d in diags]


def test_minimal_loads(write_scenario):
    scenario, diags = check_scenario(write_scenario(MINIMAL))
    assert diags == []
    assert list(scenario.branches) == ["step"]
    assert scenario.branches["step"].turns == frozenset({1})
    assert [e.id for e in scenario.baseline_events()] == ["precedent"]


def test_tutorial_is_clean():
    scenario, diags = check_scenario(tutorial_scenario())
    assert diags == [] and scenario is not None


def one(write_scenario, text):
    scenario, diags = check_scenario(write_scenario(text))
    assert scenario is None or all(d.severity != "error" for d in diags)
    return diags


def test_unknown_key_with_did_you_mean_is_located(write_scenario):
    diags = one(write_scenario, MINIMAL.replace("    actor: nato\n", "    actr: nato\n"))
    d = next(d for d in diags if d.code == "SP201")
    assert (d.line, d.col) == (19, 5)
    assert "did you mean 'actor'" in d.hint
    assert d.format().startswith(f"{d.file}:19:5: SP201 unknown key 'actr'")


def test_missing_required_key(write_scenario):
    diags = one(write_scenario, MINIMAL.replace("title: Mini\n", ""))
    assert any(d.code == "SP202" and "'title'" in d.message for d in diags)


def test_expression_errors_point_into_the_string(write_scenario):
    text = MINIMAL.replace("level < 3", "levl < 3")
    diags = one(write_scenario, text)
    d = next(d for d in diags if d.code == "SP402")
    line = text.splitlines()[19]
    assert d.line == 20 and d.col == line.index("levl") + 1
    assert "did you mean 'level'" in d.hint


def test_undefined_event_in_cites(write_scenario):
    diags = one(write_scenario, MINIMAL.replace("cites: [precedent]", "cites: [precedant]"))
    d = next(d for d in diags if d.code == "SP302")
    assert "did you mean 'precedent'" in d.hint and d.line == 21


def test_static_range_violation(write_scenario):
    diags = one(write_scenario, MINIMAL.replace("level += 1", "level += 4"))
    assert "SP405" in codes(diags)


def test_wrong_types_and_bad_initial(write_scenario):
    text = MINIMAL.replace("initial: 0", "initial: 7").replace("spillover: 1", "spillover: 1\nmoves_per_turn: two")
    diags = one(write_scenario, text)
    assert {"SP406", "SP203"} <= set(codes(diags))


def test_duplicate_ids_and_keys(write_scenario):
    text = MINIMAL + """\
  - id: step
    title: Again
    options: [{id: go, label: Go}]
"""
    diags = one(write_scenario, text.replace("title: Mini", "title: Mini\ntitle: Twice"))
    assert {"SP105", "SP301"} <= set(codes(diags))


def test_all_problems_in_one_pass(write_scenario):
    text = (MINIMAL.replace("actor: nato", "actor: natto")
            .replace("level < 3", "level < 3 and")
            .replace("cites: [precedent]", "cites: [nope]")
            .replace("label: Baseline", "labl: Baseline"))
    diags = one(write_scenario, text)
    assert {"SP303", "SP401", "SP302", "SP201"} <= set(codes(diags))


def test_turn_order_and_baseline_date(write_scenario):
    text = MINIMAL.replace("date: 2023-12-31", "date: 2023-01-31")
    assert "SP504" in codes(one(write_scenario, text))


def test_adjudication_consistency(write_scenario):
    text = MINIMAL.replace("{id: go, label: Go, effects: [level += 1]}",
                           "{id: go, label: Go, on_success: {effects: [level += 1]}}")
    assert "SP501" in codes(one(write_scenario, text))
    text = MINIMAL.replace("    options:", "    adjudication: {dice: 2d7x, target: 7}\n    options:")
    assert "SP503" in codes(one(write_scenario, text))


def test_includes_cycles_escapes_and_missing(tmp_path, write_scenario):
    write_scenario("include: [b.yaml]\n", "parts/a.yaml")
    write_scenario("include: [a.yaml]\nbranches: []\n", "parts/b.yaml")
    main = write_scenario(MINIMAL.replace("spillover: 1", "spillover: 1\ninclude: [parts/a.yaml, "
                                          "../outside.yaml, parts/c.yaml, /etc/passwd]"))
    (tmp_path.parent / "outside.yaml").write_text("branches: []\n")
    scenario, diags = check_scenario(main)
    assert scenario is None
    assert {"SP307", "SP305", "SP306"} <= set(codes(diags))
    assert sum(d.code == "SP305" for d in diags) == 2


def test_include_contributes_branches(write_scenario):
    write_scenario("""\
    branches:
      - id: extra
        title: Extra
        when: chosen(step)
        options: [{id: ok, label: OK}]
    """, "more/extra.yaml")
    scenario, diags = check_scenario(write_scenario(MINIMAL.replace(
        "spillover: 1", "spillover: 1\ninclude: [more/extra.yaml]")))
    assert diags == [] and set(scenario.branches) == {"step", "extra"}


@pytest.mark.parametrize("content,code", [
    (b"", "SP103"),
    (b"\xff\xfe bad", "SP102"),
    (b"a: !!python/object/apply:os.system [echo hi]\n", "SP106"),
    (b"a: [1, 2\n", "SP104"),
    (b"- just\n- a list\n", "SP203"),
])
def test_bad_files(tmp_path, content, code):
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    scenario, diags = check_scenario(path)
    assert scenario is None and code in codes(diags)
    with pytest.raises(DiagnosticError):
        load_scenario(path)


def test_missing_file(tmp_path):
    scenario, diags = check_scenario(tmp_path / "nope.yaml")
    assert scenario is None and codes(diags) == ["SP101"]


def test_every_registered_code_is_emitted_somewhere():
    from pathlib import Path

    import engine
    source = "".join(p.read_text(encoding="utf-8") for p in Path(engine.__file__).parent.rglob("*.py")
                     if p.name != "diagnostics.py")
    unused = [code for code in CODES if f'"{code}"' not in source]
    assert not unused, f"registered but never reported: {unused}"


# A fuzz of the loader: damage the tutorial in random ways; every outcome is either a
# scenario or located diagnostics — never an exception.
LINES = tutorial_scenario().read_text(encoding="utf-8").splitlines(keepends=True)


@st.composite
def damaged(draw):
    lines = list(LINES)
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "garble", "indent", "swap"]))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "garble":
            line = lines[i]
            j = draw(st.integers(0, max(len(line) - 1, 0)))
            lines[i] = line[:j] + draw(st.sampled_from(
                ["x", ":", "-", "{", "]", "'", "&a", "*a", "!!str ", "  ", "é", "1"])) + line[j:]
        elif op == "indent":
            lines[i] = "  " + lines[i]
        else:
            k = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[k] = lines[k], lines[i]
        if not lines:
            break
    return "".join(lines)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=damaged())
def test_fuzz_damaged_scenarios_give_located_errors(tmp_path, text):
    path = tmp_path / "fuzz.yaml"
    path.write_text(text, encoding="utf-8")
    scenario, diags = check_scenario(path)
    if scenario is None:
        errors = [d for d in diags if d.severity == "error"]
        assert errors, "rejected without saying why"
        for d in errors:
            assert d.code in CODES
            assert d.line >= 1 or d.code in ("SP101", "SP102", "SP103") or d.file != str(path), d


OBJECTIVES = MINIMAL + """\
purpose: Rehearse the first step.
scope: One turn.
objectives:
  - id: consensus
    text: >
      See how the group
      reaches consensus.
    capabilities: [Alliance consensus-building]
    questions: [Who objects?, What changes their mind?]
  - {id: pace, text: Judge the pace}
"""


def test_objectives_purpose_and_scope_load(write_scenario):
    scenario, diags = check_scenario(write_scenario(OBJECTIVES))
    assert diags == []
    assert scenario.purpose == "Rehearse the first step." and scenario.scope == "One turn."
    assert [o.id for o in scenario.objectives] == ["consensus", "pace"]
    first = scenario.objective("consensus")
    assert first.text == "See how the group reaches consensus."
    assert first.capabilities == ("Alliance consensus-building",)
    assert first.questions == ("Who objects?", "What changes their mind?")
    assert scenario.objective("pace").capabilities == () and scenario.objective("nope") is None


@pytest.mark.parametrize("bad, code, line, words", [
    ("  - {id: pace, text: Again}\n", "SP301", 34, "objective 'pace' is defined twice"),
    ("  - {id: Bad Id, text: X}\n", "SP206", 34, "not a snake_case id"),
    ("  - {id: solo}\n", "SP202", 34, "needs 'text'"),
    ("  - {id: x, text: X, capabilities: Alliance}\n", "SP203", 34, "should be a list"),
    ("  - {id: x, text: X, questons: [a]}\n", "SP201", 34, "did you mean"),
])
def test_objective_errors_are_located(write_scenario, bad, code, line, words):
    path = write_scenario(OBJECTIVES + bad)
    with pytest.raises(DiagnosticError) as e:
        load_scenario(path)
    d = next(d for d in e.value.diagnostics if d.code == code)
    assert d.line == line and d.file.endswith("scenario.yaml"), d.format()
    assert words in d.format(), d.format()


def test_bundled_scenarios_declare_objectives():
    from engine.bundled import main_scenario
    for path in (tutorial_scenario(), main_scenario()):
        scenario = load_scenario(path)
        assert len(scenario.objectives) >= 3 and scenario.purpose and scenario.scope
        assert all(o.text and o.capabilities for o in scenario.objectives)
