"""Rendering of the after-action report and improvement plan (AAR/IP): Markdown, and HTML
that prints well on A4, both from one content model (`engine.debrief.report`) through the
Jinja2 templates in engine/debrief/templates (`engine.debrief.render`).

This module only prepares the rows both formats share: the executive summary, the provenance
appendix, the source lines, and the charts as standalone SVG files for Markdown.
"""

from __future__ import annotations

from collections import Counter

from engine.debrief.render import md_cell, md_text, render  # noqa: F401  (re-exported)
from engine.debrief.report import AfterActionReport, CitedSource, ForkInfo
from engine.play.clock import hms, parse_time, seconds_since


def to_markdown(report: AfterActionReport, chart_dir: str | None = None) -> str:
    """The report in Markdown; with `chart_dir`, it embeds the charts written there by
    `chart_files` (relative to the Markdown file)."""
    return render("report.md", **_context(report), chart_dir=chart_dir)


def to_html(report: AfterActionReport) -> str:
    """The report as one self-contained HTML page: inline CSS and SVG, no scripts."""
    return render("report.html", **_context(report))


def chart_files(report: AfterActionReport) -> dict[str, str]:
    """{file name: SVG text} of each chart of a variable that moved, for Markdown."""
    return {f"{s.id}.svg": render("chart.svg", s=s, r=report)
            for s in report.series if s.changed}


def _context(r: AfterActionReport) -> dict:
    return {"r": r, "summary": summary_rows(r), "provenance": provenance_rows(r),
            "fork_sentence": _fork_sentence(r.fork) if r.fork else "",
            "source_line": _source_line}


def summary_rows(r: AfterActionReport) -> list[tuple[str, str]]:
    """The executive summary: what was exercised, why, by whom, when, and how it went."""
    d = r.debrief
    dates = r.started_local or "—"
    if r.last_local and r.last_local != r.started_local:
        end = r.last_local[11:] if r.last_local[:10] == r.started_local[:10] else r.last_local
        dates += f" to {end}"
    ratings = Counter(o.rating or "not rated" for o in d.objectives if o.id) if d else Counter()
    kinds = (sum(len(o.strengths) for o in d.objectives),
             sum(len(o.improvements) for o in d.objectives)) if d else (0, 0)
    people = "; ".join(d.participants) if d and d.participants else "not recorded"
    rows = [
        ("Exercise", r.scenario_title),
        ("Purpose", r.purpose or "—"),
        ("Scope", r.scope or "—"),
        ("Group", r.group or "—"),
        ("Cells and participants", people),
        ("Dates", f"{dates} ({r.zone})" if r.started_local else "—"),
        ("Point of contact", d.contact if d and d.contact else "not recorded"),
        ("Turn reached", r.turn_reached + ("" if r.ended else "; the session is still open")),
        ("Objectives", (f"{sum(1 for o in d.objectives if o.id)}; ratings: " + ", ".join(
            f"{k} × {v}" for k, v in sorted(ratings.items()))) if ratings else "none declared"),
        ("Observations", f"{d.observations if d else 0} ({_count(kinds[0], 'strength')}, "
                         f"{_count(kinds[1], 'area for improvement', 'areas for improvement')})"),
        ("Improvement-plan items", str(len(d.plan)) if d else "0"),
    ]
    return rows


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def provenance_rows(r: AfterActionReport) -> list[tuple[str, str]]:
    rows = [
        ("Verification", r.banner),
        ("Scenario", f"{r.scenario_title} ({r.scenario_id})"),
        ("Started", f"{r.started_local} ({r.zone}); logged as {r.started}" if r.started else "—"),
        ("Last action", f"{r.last_local} ({r.zone}); logged as {r.last_at}" if r.last_at else "—"),
        ("Ended", ("yes — " + r.ending if r.ending else "yes") if r.ended
         else "no (session still open)"),
        ("Turn times", f"{_turn_times(r)} ({r.zone})" if r.turn_times else "—"),
        ("Actions logged", f"{r.actions} ({r.confirmed} confirmed by replay)"),
        ("Seed", str(r.seed)),
        ("Counterfactual switches", "; ".join(
            f"{title} ({date}) switched off" if date else f"{eid} switched off"
            for eid, date, title in r.switched_off) or "none (history as it happened)"),
        ("Engine version", r.engine or "—"),
        ("Scenario hash", r.scenario_hash or "—"),
        ("Scenario file", r.scenario_path or "—"),
        ("Log", r.log_path),
    ]
    if r.fork:
        rows.append(("Forked from", f"{r.fork.parent_log} at action {r.fork.at}"))
    return rows


def _turn_times(r: AfterActionReport) -> str:
    """`T0 09:00–09:12 (12:00); T1 09:12–…` from the turn changes that stand, in the
    session's time zone."""
    out = []
    for turn, began, ended in r.turn_times:
        span = f"T{turn} {r.time(began)}–"
        if ended:
            span += r.time(ended)
            secs = seconds_since(began, parse_time(ended)) if parse_time(ended) else None
            if secs is not None:
                span += f" ({hms(secs)})"
        else:
            span += "…"
        out.append(span)
    return "; ".join(out)


def _fork_sentence(f: ForkInfo) -> str:
    text = (f"This session was forked from {f.parent_log} (group {f.parent_group or '—'}) "
            f"at action {f.at}: it keeps that session's actions 1–{f.at} and departs from "
            f"action {f.at + 1}.")
    if not f.parent_found:
        text += " The parent log was not found, so what it did next cannot be shown."
    elif f.parent_matches is False:
        text += (" Warning: the parent log's header does not match the one recorded at the "
                 "fork (the file was replaced or edited).")
    return text


def _source_line(s: CitedSource) -> str:
    parts = []
    if s.issuer:
        parts.append(s.issuer)
    parts.append(f"“{s.title}”")
    if s.published:
        parts.append(s.published)
    if s.details:
        parts.append(s.details)
    if s.footnotes:
        parts.append(s.footnote_text)
    if s.url:
        parts.append(s.url)
    return ", ".join(parts)


