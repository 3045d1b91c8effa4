"""The documentation keeps up with the code: every key, every code, the schema copy."""

import json
import re
from pathlib import Path

from engine.diagnostics import CODES
from engine.format.schema import OBJECTS, json_schema

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_every_diagnostic_code_is_documented():
    text = (DOCS / "AUTHORING.md").read_text(encoding="utf-8")
    for code, line in CODES.items():
        assert f"| {code} | {line} |" in text, f"{code} missing or out of date in AUTHORING.md"


def test_every_key_is_documented_in_its_section():
    text = (DOCS / "AUTHORING.md").read_text(encoding="utf-8")
    for name, fields in OBJECTS.items():
        m = re.search(rf"### `{name}`.*?\n\n(.*?)(?=\n###|\n## )", text, re.S)
        assert m, f"no section for {name}"
        for f in fields:
            assert f"| `{f.name}` |" in m.group(1) and f.doc in m.group(1), f"{name}.{f.name}"


def test_schema_copy_is_current():
    saved = json.loads((DOCS / "spillover.schema.json").read_text(encoding="utf-8"))
    assert saved == json_schema(), "run: spillover schema > docs/spillover.schema.json"


def test_schema_accepts_the_bundled_files_and_rejects_unknown_keys():
    import pytest
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    from engine.bundled import scenarios_dir, seeds_dir
    validator = jsonschema.Draft202012Validator(json_schema())
    files = sorted(scenarios_dir().glob("*.yaml")) + sorted(seeds_dir().glob("*.yaml"))
    files = [p for p in files if len(p.suffixes) == 1]     # x.ru.yaml: string tables, not scenarios
    for path in files:
        # Dates come back as date objects here; default=str turns them back into text.
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
        data = json.loads(json.dumps(data, default=str))
        errors = list(validator.iter_errors(data))
        assert not errors, f"{path.name}: {errors[0].message}"
    assert list(validator.iter_errors({"spillover": 1, "id": "x", "title": "t", "start": "2023",
                                        "turns": [], "bogus": 1}))


def test_analyst_excerpt_is_what_the_tool_writes(aar_debriefed):
    from engine.debrief.report import after_action_report
    from engine.debrief.report_render import to_markdown
    text = (DOCS / "ANALYST.md").read_text(encoding="utf-8")
    excerpt = text.split("<!-- excerpt:start -->")[1].split("<!-- excerpt:end -->")[0]
    md = to_markdown(after_action_report(aar_debriefed / "gold.jsonl"))
    lines = [x for x in excerpt.splitlines() if x.strip() and not x.startswith("````")
             and x != "…"]
    assert len(lines) > 40
    for line in lines:
        assert line in md, line
