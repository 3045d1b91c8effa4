"""Rendering of the after-action report and improvement plan (AAR/IP): Markdown, and HTML
that prints well on A4, both from one content model (`engine.debrief.report`) through the
Jinja2 templates in engine/debrief/templates (`engine.debrief.render`).

This module only prepares the rows both formats share: the executive summary, the provenance
appendix, the source lines, and the charts as standalone SVG files for Markdown.
"""

from __future__ import annotations

from collections import Counter

from engine.debrief.render import render
from engine.debrief.report import AfterActionReport, CitedSource, ForkInfo
from engine.i18n import Messages, _, current_language, ngettext
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
            "source_line": _source_line, "lang": current_language()}


def summary_rows(r: AfterActionReport) -> list[tuple[str, str]]:
    """The executive summary: what was exercised, why, by whom, when, and how it went."""
    d = r.debrief
    m = Messages(current_language())
    dates = _day_and_time(m, r.started_local) if r.started_local else "—"
    if r.last_local and r.last_local != r.started_local:
        end = r.last_local[11:] if r.last_local[:10] == r.started_local[:10] else \
            _day_and_time(m, r.last_local)
        dates = _("{start} to {end}").format(start=dates, end=end)
    ratings = Counter(o.rating or _("not rated") for o in d.objectives if o.id) if d else Counter()
    kinds = (sum(len(o.strengths) for o in d.objectives),
             sum(len(o.improvements) for o in d.objectives)) if d else (0, 0)
    people = "; ".join(d.participants) if d and d.participants else _("not recorded")
    rows = [
        (_("Exercise"), r.scenario_title),
        (_("Purpose"), r.purpose or "—"),
        (_("Scope"), r.scope or "—"),
        (_("Group"), r.group or "—"),
        (_("Cells and participants"), people),
        (_("Dates"), f"{dates} ({r.zone})" if r.started_local else "—"),
        (_("Point of contact"), d.contact if d and d.contact else _("not recorded")),
        (_("Turn reached"), r.turn_reached if r.ended else _(
            "{turn}; the session is still open").format(turn=r.turn_reached)),
        (_("Objectives"), _("{n}; ratings: {ratings}").format(
            n=m.number(sum(ratings.values())), ratings=", ".join(
                f"{k} × {m.number(v)}" for k, v in sorted(ratings.items())))
         if ratings else _("none declared")),
        (_("Observations"), _("{n} ({strengths}, {improvements})").format(
            n=m.number(d.observations if d else 0),
            strengths=ngettext("{n} strength", "{n} strengths", kinds[0]).format(
                n=m.number(kinds[0])),
            improvements=ngettext("{n} area for improvement", "{n} areas for improvement",
                                  kinds[1]).format(n=m.number(kinds[1])))),
        (_("Improvement-plan items"), m.number(len(d.plan) if d else 0)),
    ]
    return rows


def _day_and_time(m: Messages, local: str) -> str:
    """'2024-03-01 10:00' as the locale writes the day ('1 March 2024, 10:00')."""
    import datetime as dt
    try:
        day = dt.date.fromisoformat(local[:10])
    except ValueError:
        return local
    return _("{day}, {time}").format(day=m.date(day, "long"), time=local[11:]) if local[11:] \
        else m.date(day, "long")


def provenance_rows(r: AfterActionReport) -> list[tuple[str, str]]:
    logged_as = _("{local} ({zone}); logged as {logged}")
    rows = [
        (_("Verification"), r.banner),
        (_("Scenario"), f"{r.scenario_title} ({r.scenario_id})"),
        (_("Started"), logged_as.format(local=r.started_local, zone=r.zone, logged=r.started)
         if r.started else "—"),
        (_("Last action"), logged_as.format(local=r.last_local, zone=r.zone, logged=r.last_at)
         if r.last_at else "—"),
        (_("Ended"), (_("yes — {ending}").format(ending=r.ending) if r.ending else _("yes"))
         if r.ended else _("no (session still open)")),
        (_("Turn times"), f"{_turn_times(r)} ({r.zone})" if r.turn_times else "—"),
        (_("Actions logged"), _("{n} ({confirmed} confirmed by replay)").format(
            n=r.actions, confirmed=r.confirmed)),
        (_("Seed"), str(r.seed)),
        (_("Counterfactual switches"), "; ".join(
            _("{title} ({date}) switched off").format(title=title, date=date) if date
            else _("{event} switched off").format(event=eid)
            for eid, date, title in r.switched_off) or _("none (history as it happened)")),
        (_("Engine version"), r.engine or "—"),
        (_("Scenario hash"), r.scenario_hash or "—"),
        (_("Scenario file"), r.scenario_path or "—"),
        (_("Log"), r.log_path),
    ]
    if r.fork:
        rows.append((_("Forked from"), _("{log} at action {n}").format(log=r.fork.parent_log,
                                                                       n=r.fork.at)))
    return rows


def _turn_times(r: AfterActionReport) -> str:
    """`T0 09:00–09:12 (12:00); T1 09:12–…` from the turn changes that stand, in the
    session's time zone."""
    out = []
    for turn, began, ended in r.turn_times:
        span = _("T{turn} {began}–").format(turn=turn, began=r.time(began))
        if ended:
            span += r.time(ended)
            end_at = parse_time(ended)
            secs = seconds_since(began, end_at) if end_at else None
            if secs is not None:
                span += f" ({hms(secs)})"
        else:
            span += "…"
        out.append(span)
    return "; ".join(out)


def _fork_sentence(f: ForkInfo) -> str:
    text = _("This session was forked from {log} (group {group}) at action {at}: it keeps "
             "that session's actions 1–{at} and departs from action {next}.").format(
        log=f.parent_log, group=f.parent_group or '—', at=f.at, next=f.at + 1)
    if not f.parent_found:
        text += " " + _("The parent log was not found, so what it did next cannot be shown.")
    elif f.parent_matches is False:
        text += " " + _("Warning: the parent log's header does not match the one recorded at "
                        "the fork (the file was replaced or edited).")
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


