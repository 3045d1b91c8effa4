"""`spillover report`, `compare` and `fork`: headless, never import Textual.

Exit codes:
  0  done — for `report`, also when the log does not verify: the report is still written and
     flagged at its top, and a warning goes to stderr (`spillover replay --verify` is the
     command whose exit status says whether a log verifies)
  1  the input cannot be used: an unreadable log, a scenario that does not load, an output
     file that cannot be written, a fork whose kept actions no longer apply
  2  usage: --at out of range or past the last verified action, logs of different scenarios,
     fewer than two logs to compare, an output name that is neither .md nor .html, a fork
     log that already exists

A Markdown report written to a file gets its charts as SVG files in a folder beside it
(`aar.md` → `aar.charts/`), linked from the Markdown; the HTML report carries them inline.
"""

from __future__ import annotations

import sys
from pathlib import Path

from engine.diagnostics import DiagnosticError
from engine.i18n import _, ngettext
from engine.play.session import SessionError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

MD_SUFFIXES = (".md", ".markdown")
HTML_SUFFIXES = (".html", ".htm")


def _err(message: str) -> None:
    print(f"spillover: {message}", file=sys.stderr)


def _scenario(path: str | None, lang: str | None = None, log: str | None = None):
    """The --scenario given, or with --lang the session's own one (from the log's header),
    with its text in --lang or else the session's language; None: replay finds the scenario
    the log names, in the session's language."""
    if not path and lang and log:
        from engine.play.log import read_log
        header = read_log(log).header or {}
        path = str((header.get("scenario") or {}).get("path", "")) or None
    if not path:
        return None
    if not lang and log:                 # --scenario alone: the session's own language
        from engine.play.replay import logged_lang
        lang = logged_lang(log)
    from engine.format.tables import load_scenario_in
    return load_scenario_in(path, lang)


def _diagnostics(e: DiagnosticError) -> int:
    for d in e.diagnostics:
        print(d.format(), file=sys.stderr)
    return EXIT_FAILED


def _emit(out: Path | None, text: str, written: str) -> int:
    """Write `text` to stdout, or to `out` and say so (`written`, with {path}); an unwritable
    file is a clear error."""
    if out is None:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    except OSError as e:
        _err(_("cannot write {path}: {reason}").format(path=out, reason=e.strerror or e))
        return EXIT_FAILED
    print(written.format(path=out))
    return EXIT_OK


def cmd_report(args) -> int:
    from engine.debrief.report import ReportError, after_action_report
    from engine.debrief.report_render import to_html, to_markdown
    out = Path(args.output) if args.output else None
    if out is not None and out.suffix.lower() not in MD_SUFFIXES + HTML_SUFFIXES:
        _err(_("-o {path}: the report is written as Markdown (.md) or HTML (.html); name the "
               "file accordingly").format(path=out))
        return EXIT_USAGE
    try:
        report = after_action_report(args.log, _scenario(getattr(args, "scenario", None),
                                                         getattr(args, "lang", None), args.log))
    except DiagnosticError as e:
        return _diagnostics(e)
    except ReportError as e:
        _err(str(e))
        return EXIT_FAILED
    html_out = out is not None and out.suffix.lower() in HTML_SUFFIXES
    chart_dir = None
    if out is not None and not html_out and report.series:
        from engine.debrief.report_render import chart_files
        folder = out.with_name(out.stem + ".charts")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for name, svg in chart_files(report).items():
                (folder / name).write_text(svg, encoding="utf-8")
            chart_dir = folder.name
        except OSError as e:
            _err(_("cannot write the charts to {folder}: {reason}").format(
                folder=folder, reason=e.strerror or e))
            return EXIT_FAILED
    text = to_html(report) if html_out else to_markdown(report, chart_dir)
    if not report.verified:
        _err(_("warning: {banner} — the report is flagged at its top").format(
            banner=report.banner))
    return _emit(out, text, _("Wrote the after-action report ({format}) to {path}").format(
        format="HTML" if html_out else "Markdown", path="{path}"))


def cmd_compare(args) -> int:
    from engine.debrief.compare import CompareError, compare, to_html, to_markdown
    out = Path(args.output) if args.output else None
    if out is not None and out.suffix.lower() not in MD_SUFFIXES + HTML_SUFFIXES:
        _err(_("-o {path}: the comparison is written as Markdown (.md) or HTML (.html); name "
               "the file accordingly").format(path=out))
        return EXIT_USAGE
    try:
        comparison = compare(args.logs, _scenario(getattr(args, "scenario", None),
                                                  getattr(args, "lang", None), args.logs[0]))
    except DiagnosticError as e:
        return _diagnostics(e)
    except CompareError as e:
        _err(str(e))
        return EXIT_USAGE if e.usage else EXIT_FAILED
    for warning in comparison.warnings:
        _err(_("warning: {text}").format(text=warning))
    html_out = out is not None and out.suffix.lower() in HTML_SUFFIXES
    text = to_html(comparison) if html_out else to_markdown(comparison)
    n = len(comparison.runs)
    return _emit(out, text, ngettext("Wrote the comparison of {n} session ({format}) to {path}",
                                     "Wrote the comparison of {n} sessions ({format}) to {path}",
                                     n).format(n=n, format="HTML" if html_out else "Markdown",
                                               path="{path}"))


def cmd_fork(args) -> int:
    from engine.play.fork import ForkError, fork
    try:
        session = fork(args.log, args.at, Path(args.new_log) if args.new_log else None,
                       group=args.group, scenario=_scenario(getattr(args, "scenario", None)))
    except DiagnosticError as e:
        return _diagnostics(e)
    except ForkError as e:
        _err(str(e))
        return EXIT_USAGE if e.usage else EXIT_FAILED
    except SessionError as e:
        _err(_("cannot fork: {reason}").format(reason=e))
        return EXIT_FAILED
    except OSError as e:
        _err(_("cannot write the fork's log: {reason}").format(reason=e.strerror or e))
        return EXIT_FAILED
    path = session.log_path
    session.close()
    kept = len(session.actions)
    print(ngettext("Forked {log} at action {at}: the new session keeps {n} action (group "
                   "{group}).", "Forked {log} at action {at}: the new session keeps {n} actions "
                   "(group {group}).", kept).format(log=args.log, at=args.at, n=kept,
                                                    group=repr(session.group)))
    print(_("New log: {path}").format(path=path))
    print(_("Resume it with: spillover resume {path}").format(path=path))
    return EXIT_OK
