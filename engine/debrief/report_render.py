"""Rendering of the after-action report: Markdown, and HTML that prints well on A4.

The report's content is built by `engine.debrief.report.after_action_report`; this module only lays
it out. `md_text`/`md_cell` are shared with `engine.debrief.compare`.
"""

from __future__ import annotations

import html
import re
from typing import Any

from engine.debrief.report import (AfterActionReport, CitedSource, ForkInfo)
from engine.play.clock import hms, parse_time, seconds_since


# ---------------------------------------------------------------------------- Markdown

def md_text(text: Any) -> str:
    """Inline Markdown text: one line, with the characters that would format escaped.

    Underscores inside words (ids like `office_open`) are left alone: they never format.
    """
    s = " ".join(str(text).split())
    s = re.sub(r"([\\`*\[\]<|~])", r"\\\1", s)
    s = re.sub(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", r"\\_", s)
    return s


def md_cell(text: Any) -> str:
    return md_text(text) or " "


def to_markdown(report: AfterActionReport) -> str:
    r = report
    out: list[str] = []
    w = out.append
    w(f"# After-action report: {md_text(r.scenario_title)}")
    w("")
    mark = "✅" if r.verified else "⚠️"
    w(f"> {mark} **{'Verified' if r.verified else 'NOT VERIFIED'}** — {md_text(r.banner)}")
    if not r.verified:
        w(">")
        w("> This report was produced from a log that does not verify. States, dice and "
          "signposts below are recomputed from the scenario as far as the log replays; "
          "entries the replay did not reach are marked *not confirmed*.")
    for p in r.problems:
        w(f"> - {md_text(p)}")
    w("")

    w("## 1. Exercise overview")
    w("")
    w("| | |")
    w("|---|---|")
    for k, v in _overview_rows(r):
        w(f"| {md_cell(k)} | {md_cell(v)} |")
    w("")
    if r.fork:
        w(f"**Forked session.** {md_text(_fork_sentence(r.fork))}")
        w("")
        w(f"- the parent went on with: {md_text(r.fork.parent_next or 'unknown (parent log not found)')}")
        w(f"- this session went on with: {md_text(r.fork.this_next)}")
        w("")

    w("## 2. Timeline")
    w("")
    w("Every logged action in order. Undone actions are ~~struck through~~ and marked "
      "*undone*; they no longer count.")
    w("")
    if not r.timeline:
        w("No action was logged.")
        w("")
    for sec in r.timeline:
        head = f"### Turn {sec.turn}: {md_text(sec.label)}"
        if sec.date:
            head += f" ({md_text(sec.date)})"
        if sec.continued:
            head += " — continued"
        w(head)
        w("")
        fork_mark_done = False
        for e in sec.entries:
            if r.fork and not e.inherited and e.n == r.fork.at + 1 and not fork_mark_done:
                w(f"*— fork point: actions 1–{r.fork.at} come from the parent session; "
                  "this session departs here —*")
                w("")
                fork_mark_done = True
            headline = f"**{e.n}. {md_text(e.kind)}:** {md_text(e.title)}"
            if e.undone:
                headline = f"~~{headline}~~ *(undone by action {e.undone_by})*"
            tags = []
            if e.inherited:
                tags.append("from the parent session")
            if not e.confirmed:
                tags.append("not confirmed by replay")
            if tags:
                headline += " *(" + "; ".join(tags) + ")*"
            if e.at:
                headline += f" ({md_text(_short_time(e.at, r.started))})"
            w(f"- {headline}")
            for det in e.details:
                w(f"    - {md_text(det.label)}: {md_text(det.text)}")
        w("")
    if r.fork and r.fork.at >= r.actions:
        w(f"*— fork point after action {r.fork.at}: nothing has been played since —*")
        w("")

    w("## 3. Signposts")
    w("")
    if r.signposts:
        w("| Turn | Signpost |")
        w("|---|---|")
        for s in r.signposts:
            w(f"| {s.turn} ({md_cell(s.turn_label)}) | {md_cell(s.text)} |")
    else:
        w("No signpost fired." if r.final_state else "Not available: the log could not be replayed.")
    w("")

    w("## 4. Final state against the baseline")
    w("")
    if r.final_state:
        if r.confirmed < r.actions:
            w(f"*As of action {r.confirmed}, the last one that replays.*")
            w("")
        w("| Variable | Baseline | Final | Changed |")
        w("|---|---|---|---|")
        for v in r.final_state:
            changed = "**changed**" if v.changed else ""
            w(f"| {md_cell(v.label)} | {md_cell(v.baseline)} | {md_cell(v.final)} | "
              f"{changed or ' '} |")
    else:
        w("Not available: the log could not be replayed against the scenario.")
    w("")

    w("## 5. Hotwash")
    w("")
    if r.hotwash:
        for para in str(r.hotwash).split("\n"):
            w(f"> {md_text(para)}" if para.strip() else ">")
    elif r.hotwash == "":
        w("The session ended without hotwash notes.")
    else:
        w("The session has not ended: no hotwash was recorded.")
    w("")

    w("## 6. Sources of the branches played")
    w("")
    if r.events:
        w("### Events")
        w("")
        for ev in r.events:
            line = f"- **{md_text(ev.date)}** — {md_text(ev.title)}"
            if ev.switched_off:
                line += " *(switched off in this session)*"
            w(line)
            w(f"    - cited by: {md_text('; '.join(ev.cited_by))}")
            for s in ev.sources:
                w(f"    - {md_text(_source_line(s))}")
        w("")
        w("### Bibliography")
        w("")
        for i, s in enumerate(r.sources, start=1):
            w(f"{i}. {md_text(_source_line(s))}")
        w("")
    else:
        w("No branch that cites an event was played." if r.final_state or r.actions
          else "No branch was played.")
        w("")
    return "\n".join(out).rstrip() + "\n"


def _short_time(at: str, started: str) -> str:
    """`10:03 UTC` on the day the session started, the date and time otherwise."""
    m = re.match(r"(\d{4}-\d\d-\d\d)T(\d\d:\d\d)(?::\d\d)?(\+00:00|Z)?$", at)
    if not m:
        return at
    zone = " UTC" if m.group(3) else ""
    if started.startswith(m.group(1)):
        return m.group(2) + zone
    return f"{m.group(1)} {m.group(2)}{zone}"


def _overview_rows(r: AfterActionReport) -> list[tuple[str, str]]:
    rows = [
        ("Scenario", f"{r.scenario_title} ({r.scenario_id})"),
        ("Group", r.group or "—"),
        ("Started", r.started or "—"),
        ("Last action", r.last_at or "—"),
        ("Ended", "yes" if r.ended else "no (session still open)"),
        ("Turn reached", r.turn_reached),
        ("Turn times", _turn_times(r) or "—"),
        ("Actions logged", f"{r.actions} ({r.confirmed} confirmed by replay)"),
        ("Seed", str(r.seed)),
        ("Counterfactual switches", "; ".join(
            f"{title} ({date}, {eid}) switched off" if date else f"{eid} switched off"
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
    """`T0 09:00–09:12 (12:00); T1 09:12–…` from the turn changes that stand."""
    out = []
    for turn, began, ended in r.turn_times:
        span = f"T{turn} {_short_time(began, r.started)}–"
        if ended:
            span += _short_time(ended, r.started)
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


# ---------------------------------------------------------------------------- HTML

_CSS = """
@page { size: A4; margin: 20mm 18mm 22mm 18mm; }
html { font-family: Georgia, "Times New Roman", Times, serif; font-size: 11pt; line-height: 1.4;
       color: #111; }
body { max-width: 174mm; margin: 0 auto; padding: 8mm 0; }
h1 { font-size: 18pt; margin: 0 0 6pt; }
h2 { font-size: 14pt; margin: 16pt 0 6pt; border-bottom: 1px solid #888;
     page-break-after: avoid; break-after: avoid; }
h3 { font-size: 12pt; margin: 12pt 0 4pt; page-break-after: avoid; break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0 8pt; page-break-inside: auto; }
tr { page-break-inside: avoid; break-inside: avoid; }
th, td { border: 1px solid #999; padding: 2pt 5pt; text-align: left; vertical-align: top; }
th { background: #eee; }
.banner { border: 2px solid; padding: 6pt 9pt; margin: 6pt 0 10pt;
          page-break-inside: avoid; break-inside: avoid; }
.banner.ok { border-color: #2a7a2a; background: #eef7ee; }
.banner.bad { border-color: #b00020; background: #fdecee; }
.banner ul { margin: 4pt 0 0; }
.entry { margin: 0 0 6pt; padding: 3pt 0 3pt 8pt; border-left: 3px solid #bbb;
         page-break-inside: avoid; break-inside: avoid; }
.entry .n { font-weight: bold; }
.entry .kind { font-weight: bold; }
.entry .at { color: #555; font-size: 9pt; }
.entry dl { margin: 2pt 0 0 0; display: grid; grid-template-columns: max-content 1fr;
            column-gap: 6pt; }
.entry dt { font-style: italic; color: #333; }
.entry dd { margin: 0; }
.entry.undone { border-left-color: #ddd; color: #666; }
.entry.undone .head { text-decoration: line-through; }
.tag { font-size: 9pt; font-style: italic; border: 1px solid #999; padding: 0 3pt;
       margin-left: 4pt; }
.fork { border-top: 2px dashed #555; margin: 8pt 0; padding-top: 2pt; font-style: italic; }
.changed { font-weight: bold; }
blockquote { margin: 4pt 0 4pt 12pt; padding-left: 8pt; border-left: 3px solid #999; }
a { color: #111; word-break: break-all; }
ol.bib li, ul.events li { margin-bottom: 3pt; page-break-inside: avoid; break-inside: avoid; }
@media print { a { text-decoration: none; } }
"""


def _h(text: Any) -> str:
    return html.escape(str(text), quote=True)


def to_html(report: AfterActionReport) -> str:
    r = report
    out: list[str] = []
    w = out.append
    w("<!DOCTYPE html>")
    w('<html lang="en"><head><meta charset="utf-8">')
    w(f"<title>After-action report: {_h(r.scenario_title)} — {_h(r.group)}</title>")
    w(f"<style>{_CSS}</style></head><body>")
    w(f"<h1>After-action report: {_h(r.scenario_title)}</h1>")
    cls = "ok" if r.verified else "bad"
    w(f'<div class="banner {cls}"><strong>{"Verified" if r.verified else "NOT VERIFIED"}</strong>'
      f" — {_h(r.banner)}")
    if not r.verified:
        w("<p>This report was produced from a log that does not verify. States, dice and "
          "signposts below are recomputed from the scenario as far as the log replays; entries "
          "the replay did not reach are marked <em>not confirmed</em>.</p>")
    if r.problems:
        w("<ul>" + "".join(f"<li>{_h(p)}</li>" for p in r.problems) + "</ul>")
    w("</div>")

    w("<h2>1. Exercise overview</h2>")
    w("<table>")
    for k, v in _overview_rows(r):
        w(f"<tr><th>{_h(k)}</th><td>{_h(v)}</td></tr>")
    w("</table>")
    if r.fork:
        w(f"<p><strong>Forked session.</strong> {_h(_fork_sentence(r.fork))}</p>")
        w("<ul>")
        w(f"<li>the parent went on with: {_h(r.fork.parent_next or 'unknown (parent log not found)')}</li>")
        w(f"<li>this session went on with: {_h(r.fork.this_next)}</li>")
        w("</ul>")

    w("<h2>2. Timeline</h2>")
    w("<p>Every logged action in order. Undone actions are struck through and marked "
      "<em>undone</em>; they no longer count.</p>")
    if not r.timeline:
        w("<p>No action was logged.</p>")
    for sec in r.timeline:
        head = f"Turn {sec.turn}: {_h(sec.label)}"
        if sec.date:
            head += f" ({_h(sec.date)})"
        if sec.continued:
            head += " — continued"
        w(f"<h3>{head}</h3>")
        for e in sec.entries:
            if r.fork and not e.inherited and e.n == r.fork.at + 1:
                w(f'<div class="fork">Fork point: actions 1–{r.fork.at} come from the parent '
                  "session; this session departs here.</div>")
            classes = "entry" + (" undone" if e.undone else "") + ("" if e.confirmed else " unconfirmed")
            w(f'<div class="{classes}" id="action-{e.n}">')
            tags = []
            if e.undone:
                tags.append(f"undone by action {e.undone_by}")
            if e.inherited:
                tags.append("from the parent session")
            if not e.confirmed:
                tags.append("not confirmed by replay")
            head = (f'<span class="n">{e.n}.</span> <span class="kind">{_h(e.kind)}:</span> '
                    f"{_h(e.title)}")
            if e.undone:
                head = f"<del>{head}</del>"
            w(f'<div><span class="head">{head}</span>'
              + "".join(f'<span class="tag">{_h(t)}</span>' for t in tags)
              + (f' <span class="at">{_h(_short_time(e.at, r.started))}</span>' if e.at else "")
              + "</div>")
            if e.details:
                w("<dl>" + "".join(f"<dt>{_h(d.label)}</dt><dd>{_h(d.text)}</dd>"
                                   for d in e.details) + "</dl>")
            w("</div>")
    if r.fork and r.fork.at >= r.actions:
        w(f'<div class="fork">Fork point after action {r.fork.at}: nothing has been played '
          "since.</div>")

    w("<h2>3. Signposts</h2>")
    if r.signposts:
        w("<table><tr><th>Turn</th><th>Signpost</th></tr>")
        for s in r.signposts:
            w(f"<tr><td>{s.turn} ({_h(s.turn_label)})</td><td>{_h(s.text)}</td></tr>")
        w("</table>")
    else:
        w("<p>" + ("No signpost fired." if r.final_state
                   else "Not available: the log could not be replayed.") + "</p>")

    w("<h2>4. Final state against the baseline</h2>")
    if r.final_state:
        if r.confirmed < r.actions:
            w(f"<p><em>As of action {r.confirmed}, the last one that replays.</em></p>")
        w("<table><tr><th>Variable</th><th>Baseline</th><th>Final</th><th>Changed</th></tr>")
        for v in r.final_state:
            c = ' class="changed"' if v.changed else ""
            w(f"<tr{c}><td>{_h(v.label)}</td><td>{_h(v.baseline)}</td><td>{_h(v.final)}</td>"
              f"<td>{'changed' if v.changed else ''}</td></tr>")
        w("</table>")
    else:
        w("<p>Not available: the log could not be replayed against the scenario.</p>")

    w("<h2>5. Hotwash</h2>")
    if r.hotwash:
        paras = [p for p in str(r.hotwash).split("\n\n") if p.strip()]
        w("<blockquote>" + "".join(f"<p>{_h(p).replace(chr(10), '<br>')}</p>" for p in paras)
          + "</blockquote>")
    elif r.hotwash == "":
        w("<p>The session ended without hotwash notes.</p>")
    else:
        w("<p>The session has not ended: no hotwash was recorded.</p>")

    w("<h2>6. Sources of the branches played</h2>")
    if r.events:
        w("<h3>Events</h3><ul class=\"events\">")
        for ev in r.events:
            off = " <em>(switched off in this session)</em>" if ev.switched_off else ""
            w(f"<li><strong>{_h(ev.date)}</strong> — {_h(ev.title)}{off}<br>"
              f"<small>cited by: {_h('; '.join(ev.cited_by))}</small>")
            if ev.sources:
                w("<ul>" + "".join(f"<li>{_source_html(s)}</li>" for s in ev.sources) + "</ul>")
            w("</li>")
        w("</ul><h3>Bibliography</h3><ol class=\"bib\">")
        for s in r.sources:
            w(f"<li>{_source_html(s)}</li>")
        w("</ol>")
    else:
        w("<p>No branch that cites an event was played.</p>")
    w("</body></html>")
    return "\n".join(out) + "\n"


def _source_html(s: CitedSource) -> str:
    parts = []
    if s.issuer:
        parts.append(_h(s.issuer))
    parts.append(f"“{_h(s.title)}”")
    if s.published:
        parts.append(_h(s.published))
    if s.details:
        parts.append(_h(s.details))
    if s.footnotes:
        parts.append(_h(s.footnote_text))
    if s.url.startswith(("http://", "https://")):
        parts.append(f'<a href="{_h(s.url)}">{_h(s.url)}</a>')
    elif s.url:
        parts.append(_h(s.url))
    return ", ".join(parts)
