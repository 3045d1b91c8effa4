"""The AAR/IP of a session with a full debrief (tests/aar_sessions.py: play_gold): objectives,
observations, ratings, the improvement plan, amendments, charts, local times, clean HTML."""

import html
import shutil
import subprocess
from html.parser import HTMLParser

import pytest
from aar_sessions import (
    AMENDED_RATIONALE,
    AMENDED_SUSTAIN,
    CONTACT,
    OBSERVATIONS,
    PARTICIPANTS,
    PLAN,
)

from engine.debrief.compare import compare
from engine.debrief.compare import to_html as compare_html
from engine.debrief.report import after_action_report
from engine.debrief.report_render import chart_files, to_html, to_markdown
from engine.play.replay import replay
from engine.play.views import readable_value
from tui.cli import main


@pytest.fixture(scope="module")
def gold(aar_debriefed):
    return after_action_report(aar_debriefed / "gold.jsonl")


@pytest.fixture(scope="module")
def outputs(gold):
    return to_markdown(gold), to_html(gold)


def test_every_observation_plan_item_and_amendment_is_in_both_formats(gold, outputs):
    md, page = outputs
    for text in [o[2] for o in OBSERVATIONS] + [p["recommendation"] for p in PLAN] + \
            [p["owner"] for p in PLAN] + [p["due"] for p in PLAN] + PARTICIPANTS + \
            [CONTACT, AMENDED_RATIONALE, AMENDED_SUSTAIN, "Early reassurance"]:
        assert text in md, text
        assert text in html.unescape(page), text
    plan = md.split("## 9. Improvement plan")[1].split("## Appendix A")[0]
    assert "| Brief allies before pressing the NAC | NATO desk | 2024-06-30 | hotwash, action 13 |" in plan
    amendments = md.split("## Appendix C. Amendments")[1]
    assert "Action 16 (13:26) amended the rationale of action 5: was “Tokyo wants the office " \
           "before Vilnius”, now “" + AMENDED_RATIONALE in amendments
    assert "Action 17 (13:27) amended the sustain of action 14" in amendments
    # the amendment is shown where the amended thing is, too
    entry5 = md.split("- **5. Decision:**")[1].split("- **6.")[0]
    assert "Rationale: Tokyo wants the office before Vilnius\n" in entry5
    assert f"Amended by action 16 (13:26): rationale now “{AMENDED_RATIONALE}”" in entry5


def test_objectives_with_observations_ratings_and_analysis(gold, outputs):
    d = gold.debrief
    assert [o.id for o in d.objectives] == ["consensus", "managing_beijing", "partner_outreach", ""]
    consensus, beijing, outreach, general = d.objectives
    assert (consensus.rating, beijing.rating, outreach.rating) == ("S", "P", "")
    assert [o.text for o in consensus.improvements] == [OBSERVATIONS[0][2]]
    assert consensus.improvements[0].supports == 5 and not consensus.strengths
    assert "Push for agreement now" in consensus.improvements[0].supports_text
    assert beijing.sustain == AMENDED_SUSTAIN and beijing.amendments[0].original == "Early reassurance"
    assert general.notes == "Run the tutorial before the main exercise"
    md, page = outputs
    table = md.split("## 2. Objectives and ratings")[1].split("## 3.")[0]
    assert ("| See how the group builds NATO consensus for the office when an ally objects. | "
            "Alliance consensus-building | S — Performed with some challenges | 0 | 1 |") in table
    assert "| Judge whether the office is used to reach NATO's Pacific partners. | " \
           "Partnership outreach | not rated | 0 | 0 |" in table
    analysis = md.split("## 3. Analysis by objective")[1].split("## 4.")[0]
    assert "### 3.1 See how the group builds NATO consensus" in analysis
    assert "- Does the group push before or after answering the objection?" in analysis
    assert "**Rating:** S — performed with some challenges" in analysis
    assert 'id="objective-consensus"' in page and 'id="observation-7"' in page


def test_executive_summary_and_provenance_appendix(gold, outputs):
    md, _ = outputs
    top, rest = md.split("## 1. Executive summary")
    assert top.count("\n> ") == 1 and "✅ Verified and ended: 17 actions replay" in top     # one sentence
    summary = rest.split("## 2.")[0]
    assert "| Purpose | Learn the facilitator's flow on one real question, start to finish. |" in summary
    assert "| Scope | Three half-year turns" in summary
    assert "| Cells and participants | " + "; ".join(PARTICIPANTS) + " |" in summary
    assert "| Point of contact | " + CONTACT + " |" in summary
    assert "| Dates | March 1, 2024, 13:10 to 13:27 (MSK, UTC+03:00) |" in summary     # local time
    assert "| Objectives | 3; ratings: P × 1, S × 1, not rated × 1 |" in summary
    assert "| Observations | 3 (2 strengths, 1 area for improvement) |" in summary
    for provenance in ("Seed", "Engine version", "Scenario hash", "Log"):
        assert f"| {provenance} |" not in summary and f"| {provenance} |" in md.split("## Appendix A")[1]
    assert "(13:12)" in md.split("- **2. Decision:**")[1].split("\n")[0]           # 10:12 UTC


def test_no_raw_ids_where_titles_exist(gold, outputs, aar_debriefed):
    md, _ = outputs
    body = md.split("## Appendix A")[0]
    for raw in ("answer_beijing", "press_negotiations", "managing_beijing", "partners_briefed",
                "china_pressure", "{", "true", "false"):
        assert raw not in body, raw


def test_chart_data_matches_the_replayed_states(gold, aar_debriefed):
    rep = replay(aar_debriefed / "gold.jsonl")
    sc = rep.scenario
    # the state at the end of each turn, straight from the replay
    by_turn = {}
    for step in rep.steps:
        by_turn[step.state.turn] = step.state
    assert gold.last_turn == rep.steps[-1].state.turn == 3
    series = {s.id: s for s in gold.series}
    assert set(series) == {v.id for v in sc.variables}
    for var in sc.variables:
        s = series[var.id]
        assert [p.turn for p in s.points] == sorted(by_turn)
        for p in s.points:
            value = by_turn[p.turn].values[var.index]
            assert p.text == readable_value(var, value, sc.actors)
    office = series["office"]
    assert [p.text for p in office.points] == ["negotiating", "agreed", "open", "open"]
    assert office.path(3) == "M0.0,100.0 H33.3V50.0 H66.7V0.0 H100.0V0.0"     # a step line
    files = chart_files(gold)
    assert set(files) == {"office.svg", "china_pressure.svg", "allies_agree.svg"}   # those that moved
    assert "turn 1 agreed" in files["office.svg"] and files["office.svg"].startswith("<?xml")


class _WellFormed(HTMLParser):
    """Every element closed in order (void elements excepted); records what is loaded."""

    VOID = {"meta", "br", "hr", "img", "input", "link", "col", "area", "base", "wbr", "source"}
    SVG_EMPTY = {"line", "rect", "circle", "path"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.problems, self.loads = [], [], []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "srcset", "xlink:href", "data") or \
                    (name == "href" and tag != "a") or \
                    (name == "href" and value and not value.startswith(("#", "http"))):
                self.loads.append((tag, name, value))
        if tag in ("script", "link", "iframe", "object", "embed", "img"):
            self.loads.append((tag, "", ""))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'} at {self.getpos()}")
        else:
            self.stack.pop()


def check_page(page: str) -> None:
    parser = _WellFormed()
    parser.feed(page)
    parser.close()
    assert not parser.problems, parser.problems[:3]
    assert parser.stack == [], parser.stack
    assert parser.loads == [], parser.loads
    assert "@import" not in page and "url(" not in page and "<script" not in page


def test_html_is_well_formed_and_self_contained(outputs, aar_debriefed, aar_played):
    _, page = outputs
    check_page(page)
    assert page.count("<svg ") == 3 and "@page" in page and "break-before: page" in page
    c = compare([aar_played / "blue.jsonl", aar_played / "red.jsonl",
                 aar_debriefed / "gold.jsonl"])
    cpage = compare_html(c)
    check_page(cpage)
    assert cpage.count("<svg ") == 2 and "@page" in cpage
    assert "diverged at decision 4" in cpage and ">3/3<" in cpage and ">1/3<" in cpage


def test_the_checker_catches_what_it_should():
    parser = _WellFormed()
    parser.feed('<div><p>x</div><img src="http://x/y.png"><link href="s.css">')
    assert parser.problems and len(parser.loads) >= 2


def test_cli_writes_markdown_with_chart_files(aar_debriefed, tmp_path, capsys):
    out = tmp_path / "aar.md"
    assert main(["report", str(aar_debriefed / "gold.jsonl"), "-o", str(out)]) == 0
    md = out.read_text(encoding="utf-8")
    assert "![Liaison office](aar.charts/office.svg)" in md
    assert (tmp_path / "aar.charts" / "office.svg").read_text(encoding="utf-8").startswith("<?xml")
    assert main(["report", str(aar_debriefed / "gold.jsonl")]) == 0       # stdout: no files
    assert "![" not in capsys.readouterr().out


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or \
    shutil.which("google-chrome")


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed (the "
                    "render test needs /usr/bin/chromium or chromium-browser on PATH)")
@pytest.mark.parametrize("which", ["report", "compare"])
def test_chromium_renders_a_non_empty_page(which, outputs, aar_debriefed, aar_played, tmp_path):
    if which == "report":
        page = outputs[1]
    else:
        page = compare_html(compare([aar_played / "blue.jsonl", aar_debriefed / "gold.jsonl"]))
    src = tmp_path / f"{which}.html"
    src.write_text(page, encoding="utf-8")
    shot, pdf = tmp_path / f"{which}.png", tmp_path / f"{which}.pdf"
    base = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", f"--user-data-dir={tmp_path / 'profile'}"]
    subprocess.run(base + ["--window-size=1000,1400", f"--screenshot={shot}", src.as_uri()],
                   capture_output=True, timeout=120, check=False)
    data = shot.read_bytes() if shot.exists() else b""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "no screenshot was written"
    assert len(data) > 20_000          # a blank page of this size compresses to a few kB
    subprocess.run(base + ["--no-pdf-header-footer", f"--print-to-pdf={pdf}", src.as_uri()],
                   capture_output=True, timeout=120, check=False)
    assert pdf.exists() and pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 10_000


def test_one_line_summaries_use_labels(tutorial):
    from engine.debrief.report import summarize
    assert summarize({"action": "override", "variable": "partners_briefed",
                      "value": ["australia", "new_zealand"]}, tutorial) == \
        "set Pacific partners briefed through the office to Australia, New Zealand by hand"
    assert summarize({"action": "observe", "objective": "", "kind": "strength", "text": "Calm",
                      "supports": None}, tutorial) == "observation: Calm"
    assert summarize({"action": "hotwash", "objective": "consensus"}, tutorial).startswith(
        "hotwash entry for 'See how the group builds")


def test_hotwash_lines_stay_separate_paragraphs_in_markdown(aar_played):
    md = to_markdown(after_action_report(aar_played / "blue.jsonl"))
    assert "> Consensus inside NATO was the bottleneck, not Beijing.\n>\n> Next time: brief" in md
    assert "Ratings: P performed without challenges;" in md


def test_compare_shows_ratings_and_observations_by_group(aar_played, aar_debriefed):
    from engine.debrief.compare import to_markdown as compare_md
    c = compare([aar_played / "blue.jsonl", aar_debriefed / "gold.jsonl"])
    md = compare_md(c)
    table = md.split("## Objectives: ratings and observations")[1].split("## Final states")[0]
    assert ("| See how the group builds NATO consensus for the office when an ally objects. | "
            "— | S — 0 strengths, 1 AFI |") in table
    assert "| General (not tied to an objective) | — | not rated — 1 strength, 0 AFI |" in table
    assert "rationale: " + AMENDED_RATIONALE + " (amended)" in md
    check_page(compare_html(c))


def test_a_hand_edited_debrief_still_gets_a_flagged_report(aar_debriefed, tmp_path):
    """Odd values in edited observation, hotwash and amendment lines: the report is written,
    flagged, never a traceback."""
    import json
    for name in ("gold.jsonl", "tutorial.yaml"):
        shutil.copyfile(aar_debriefed / name, tmp_path / name)
    lines = (tmp_path / "gold.jsonl").read_text(encoding="utf-8").splitlines()
    odd = {3: {"kind": ["x"], "supports": "two", "objective": {"a": 1}},
           13: {"rating": ["S"], "plan": "not a list", "n": "thirteen"},
           16: {"amends": [5], "value": {"a": 1}},
           17: {"field": "rating", "value": ["P"]},
           12: {"participants": 7}}
    for n, changes in odd.items():
        rec = json.loads(lines[n])
        rec.update(changes)
        lines[n] = json.dumps(rec)
    (tmp_path / "gold.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = after_action_report(tmp_path / "gold.jsonl")
    assert not report.verified
    md, page = to_markdown(report), to_html(report)
    assert "NOT VERIFIED" in md and "NOT VERIFIED" in page
    check_page(page)
    assert main(["report", str(tmp_path / "gold.jsonl"), "-o", str(tmp_path / "x.md")]) == 0
