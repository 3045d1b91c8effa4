"""The `spillover` command.

Headless commands (lint, schema, replay --verify, explore, randomtest, graph, report, compare,
fork, play) never import Textual, so they start fast; only the TUI commands load it.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from pathlib import Path

from engine import __version__
from engine.diagnostics import DiagnosticError

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
EXIT_NOT_ENDED = 3          # replay --verify: verified so far, or up to a torn tail
NO_INJECTS_HELP = ("release no inject by hand (on-demand ones, or scheduled ones after their "
                   "turn); scheduled injects are still released when their turn begins")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="spillover",
        description="A terminal tabletop aid for seminar wargames. With no command, opens the "
                    "bundled NATO–Japan scenario in the facilitator's app.")
    p.add_argument("--version", action="version", version=f"spillover {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser("run", help="open a scenario in the facilitator's app",
                         description="Open a scenario in the facilitator's app (setup screen first).")
    run.add_argument("scenario", nargs="?", help="scenario YAML (default: the bundled NATO–Japan one)")
    run.add_argument("--log", help="where to write the session log "
                     "(default sessions/<scenario>-<group>-<timestamp>.jsonl)")
    run.add_argument("--group", help="group name (pre-fills the setup screen)")
    run.add_argument("--seed", type=int, help="dice seed (pre-fills the setup screen)")
    run.add_argument("--sign", action="store_true", help="sign the session's log with this "
                     "machine's key (made on first use in the user's config folder)")
    run.add_argument("--watch", action="store_true",
                     help="for authors: reload the scenario when its files change, re-applying "
                     "the session's actions to the new version (in a new log)")
    run.add_argument("--turn", type=int, metavar="N",
                     help="for authors: start the session at turn N (a test session)")
    run.add_argument("--set", action="append", default=[], metavar="VAR=VALUE",
                     help="for authors: start with VAR set to VALUE (logged as an override; "
                     "repeat for several; a set as a,b)")
    run.add_argument("--lang", type=_lang, help=LANG_HELP)

    res = sub.add_parser("resume", help="continue a logged session in the app",
                         description="Continue a logged session: replays it, then appends to it.")
    res.add_argument("log", help="session log (.jsonl)")
    res.add_argument("--scenario", help="scenario YAML, if it moved since the session")

    wat = sub.add_parser("watch", help="the player view: follow a live session, read only",
                         description="The player view for a projector or a second screen: "
                         "follows a session log as it grows (turn, clock, situation, moves this "
                         "turn, the latest inject in full, signposts). Never writes the log.")
    wat.add_argument("log", help="session log (.jsonl) being played")
    wat.add_argument("--odds", action="store_true",
                     help="also show dice, modifiers and the chance of a waiting roll")
    wat.add_argument("--scenario", help="scenario YAML, if it moved since the session")

    srv = sub.add_parser("serve", help="serve the console and the player view in the browser",
                         description="Serve the facilitator's console and the read-only player "
                         "view over HTTP with textual-serve, for remote participants. The "
                         "console resumes LOG (or sets up a new session there when LOG does "
                         "not exist yet). Localhost only unless --host says otherwise; on "
                         "a --host others can reach, only the player view is served there "
                         "and the console stays on this machine (--console-on-network to "
                         "share it).")
    srv.add_argument("log", help="session log (.jsonl): resumed, or where a new session goes")
    srv.add_argument("--scenario", help="scenario YAML (a new session; or if it moved)")
    srv.add_argument("--host", default="localhost", help="address to listen on (default localhost)")
    srv.add_argument("--port", type=int, default=8000, help="the console's port (default 8000)")
    srv.add_argument("--watch-port", type=int,
                     help="the player view's port (default: the console's port + 1)")
    srv.add_argument("--odds", action="store_true", help="show the odds in the player view")
    srv.add_argument("--console-on-network", action="store_true",
                     help="with a --host others can reach, serve the console there too "
                     "(by default it listens on this machine only: anyone who opens it can "
                     "play and write the log)")

    rep = sub.add_parser("replay", help="step through a logged session, or verify it",
                         description="Open a logged session in the replay screen, or with --verify "
                         "print what verification proves: exit 0 verified and ended, 3 verified "
                         "so far (no end record) or torn tail, 1 edited, not authentic, scenario "
                         "changed, diverged or unreadable.")
    rep.add_argument("log", help="session log (.jsonl)")
    rep.add_argument("--verify", action="store_true", help="headless: print the summary only")
    rep.add_argument("--scenario", help="scenario YAML, if it moved since the session")

    lint = sub.add_parser("lint", help="check scenario and catalogue files",
                          description="Check scenarios (and catalogue files). Exit 0 when clean, "
                          "1 when errors are found; warnings are printed but do not fail.")
    lint.add_argument("paths", nargs="+", help="scenario or catalogue YAML files")
    lint.add_argument("--no-explore", action="store_true",
                      help="skip the reachability check by exploration")
    lint.add_argument("--max-states", type=int, default=None, metavar="N",
                      help="budget of the reachability check in distinct states "
                      "(default 20,000); lint says when the check did not complete")
    lint.add_argument("--json", action="store_true", help="machine-readable output")
    lint.add_argument("--lang", type=_lang, help="check the string tables of LANG only, and "
                      "speak LANG (default: every language with a table; your setting, LANG)")

    sub.add_parser("lsp", help="a language server for editors (stdio)",
                   description="Run the scenario language server over stdin/stdout: live "
                   "diagnostics, completion, hover, go-to-definition and symbols in any editor "
                   "that speaks LSP (see docs/AUTHORING.md). Needs pip install 'spillover[lsp]'.")

    tr = sub.add_parser("translate", help="add the texts a language still lacks to its string "
                        "tables, to fill in", description="Append every untranslated text of "
                        "the scenario to the string table beside the file it comes from (English "
                        "in a comment, `text` empty); `lint --lang` then counts what is left.")
    tr.add_argument("scenario")
    tr.add_argument("--lang", type=_lang, required=True)
    sub.add_parser("schema", help="print the JSON Schema of the scenario format",
                   description="Print the JSON Schema (draft 2020-12) of scenario, include and "
                   "catalogue files, for editor completion.")

    exp = sub.add_parser("explore", help="explore every path through a scenario",
                         description="Exhaustive exploration of a scenario's reachable states: "
                         "unreachable branches, dead ends, failures, and the exact odds of each "
                         "outcome under a facilitator policy (docs/ANALYSIS.md). Exit 0 when "
                         "clean, 1 on findings, 2 on a usage error or when --max-states stops "
                         "it before it finds anything.")
    exp.add_argument("scenario")
    exp.add_argument("--max-states", type=int, default=200_000,
                     help="stop after N distinct states (default 200000)")
    exp.add_argument("--json", action="store_true", help="machine-readable output")
    exp.add_argument("--weights", help="JSON file of choice weights {\"branch:option\": w, "
                     "\"branch\": w, \"inject:id\": w, \"pass\": w} for the facilitator "
                     "policy (default: every available choice equally likely)")
    exp.add_argument("--no-injects", action="store_true", help=NO_INJECTS_HELP)
    exp.add_argument("--switch-off", action="append", default=[], metavar="EVENT",
                     help="counterfactual: treat this event as not having occurred (repeatable)")
    exp.add_argument("--paths", action="store_true",
                     help="print a shortest sequence of choices reaching each branch")
    exp.add_argument("--top", type=int, default=10, help="end outcomes to list (default 10)")

    rt = sub.add_parser("randomtest", help="seeded random playthroughs",
                        description="Seeded random playthroughs steered toward the least-played "
                        "choices; stops at the first failure (an effect out of range, or a dead "
                        "end) and prints how to reproduce it. Exit 0 when none fails, 1 on a "
                        "failure, 2 on a usage error.")
    rt.add_argument("scenario")
    rt.add_argument("-n", type=int, default=1000, help="number of playthroughs (default 1000)")
    rt.add_argument("--seed", type=int, default=0, help="seed of the run (default 0)")
    rt.add_argument("--playthrough", type=int, metavar="I",
                    help="re-run playthroughs 0..I of this seed and print playthrough I in full")
    rt.add_argument("--no-injects", action="store_true", help=NO_INJECTS_HELP)
    rt.add_argument("--allow-dead-ends", action="store_true",
                    help="count dead ends instead of stopping at the first one")
    rt.add_argument("--switch-off", action="append", default=[], metavar="EVENT",
                    help="counterfactual: treat this event as not having occurred (repeatable)")
    rt.add_argument("--json", action="store_true", help="machine-readable output")

    gr = sub.add_parser("graph", help="export the scenario as a graph",
                        description="Branches, injects and the events they cite as a Mermaid "
                        "flowchart or a Graphviz DOT graph: which moves open (solid), close "
                        "(dashed red) or shift the odds of (dotted orange) which others.")
    gr.add_argument("scenario")
    gr.add_argument("--format", choices=["mermaid", "dot"], default="mermaid")
    gr.add_argument("--group-by", choices=["turn", "actor"], default="turn")
    gr.add_argument("-o", "--output", help="write to FILE instead of stdout")
    gr.add_argument("--branch", action="append", default=[], metavar="ID",
                    help="only the edges into and out of this branch or inject (repeatable)")
    gr.add_argument("--variable", action="append", default=[], metavar="NAME",
                    help="only the edges carried by this state variable (repeatable)")

    rpt = sub.add_parser("report", help="after-action report and improvement plan of a session",
                         description="Write the after-action report and improvement plan "
                         "(Markdown, or HTML by -o *.html; a Markdown file gets its charts "
                         "as SVG files in FILE.charts/).")
    rpt.add_argument("log")
    rpt.add_argument("-o", "--output", help="FILE.md or FILE.html (default: Markdown to stdout)")
    rpt.add_argument("--scenario", help="scenario YAML, if it moved since the session")
    rpt.add_argument("--lang", type=_lang, help=LANG_HELP)

    cmp_ = sub.add_parser("compare", help="compare several groups' sessions",
                          description="Compare sessions of the same scenario (Markdown, or "
                          "HTML with charts by -o *.html).")
    cmp_.add_argument("logs", nargs="+", help="two or more session logs (.jsonl)")
    cmp_.add_argument("-o", "--output", help="FILE.md or FILE.html (default: Markdown to stdout)")
    cmp_.add_argument("--scenario", help="scenario YAML, if it moved since the sessions")
    cmp_.add_argument("--lang", type=_lang, help=LANG_HELP)

    play = sub.add_parser("play", help="play a session headless: JSON actions on stdin",
                          description="Start (or --resume) a session and take actions from stdin, "
                          "one JSON object per line, e.g. {\"action\": \"choose\", \"branch\": "
                          "\"b\", \"option\": \"o\", \"rationale\": \"…\"}. Each gets one JSON line "
                          "on stdout, written once the action is on disk: {\"ok\": true, \"n\", "
                          "\"turn\", \"state\", …} or {\"ok\": false, \"code\", \"message\"}. "
                          "See docs/ANALYST.md.")
    play.add_argument("scenario", nargs="?", help="scenario YAML (default: the bundled one; "
                      "with --resume, only if it moved since the session)")
    play.add_argument("--log", help="the new session's log file")
    play.add_argument("--resume", metavar="LOG", help="continue this session instead")
    play.add_argument("--group", default="group", help="group name (default 'group')")
    play.add_argument("--seed", type=int, default=1, help="dice seed (default 1)")
    play.add_argument("--switch-off", action="append", default=[], metavar="EVENT",
                      help="counterfactual: treat this event as not having occurred (repeatable)")
    play.add_argument("--sign", action="store_true", help="sign the new session's log")

    fork = sub.add_parser("fork", help="start a new session from part of an old one",
                          description="Keep the first N actions of a session and continue from there.")
    fork.add_argument("log")
    fork.add_argument("--at", type=int, required=True, help="keep actions 1..N (0 keeps none)")
    fork.add_argument("--log", dest="new_log", help="the new session's log file "
                      "(default: next to the parent, <stem>-fork<N>-<timestamp>.jsonl)")
    fork.add_argument("--group", help="group name of the fork (default: the parent's + ' (fork)')")
    fork.add_argument("--scenario", help="scenario YAML, if it moved since the session")
    return p


RUN_OPTIONS = ("--log", "--group", "--seed", "--sign", "--lang")
LANG_HELP = "the scenario's text in LANG (en, ru, …), from its string tables"


def _lang(text: str) -> str:
    from engine.i18n import LANG_RE
    if not LANG_RE.match(text):
        raise argparse.ArgumentTypeError(f"'{text}' is not a language code such as en or ru")
    return text


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0].split("=", 1)[0] in RUN_OPTIONS:
        argv.insert(0, "run")        # `spillover --log x.jsonl` is `spillover run --log …`
    args = _parser().parse_args(argv)
    try:
        return _dispatch(args)
    except DiagnosticError as e:
        for d in e.diagnostics:
            print(d.format(), file=sys.stderr)
        return EXIT_FINDINGS
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


def _dispatch(args) -> int:
    cmd = args.command
    if cmd is None or cmd == "run":
        from engine.bundled import main_scenario
        scenario = Path(getattr(args, "scenario", None) or main_scenario())
        values = {}
        for item in getattr(args, "set", None) or []:
            name, sep, value = item.partition("=")
            if not sep or not name.strip():
                print(f"spillover: --set {item}: write VAR=VALUE", file=sys.stderr)
                return EXIT_USAGE
            values[name.strip()] = value.strip()
        return _tui(scenario_path=scenario, log_path=getattr(args, "log", None),
                    group=getattr(args, "group", None), seed=getattr(args, "seed", None),
                    sign=getattr(args, "sign", False),
                    live_reload=getattr(args, "watch", False),
                    start_turn=getattr(args, "turn", None),
                    start_values=values, lang=getattr(args, "lang", None))
    if cmd == "resume":
        return _tui(resume_log=Path(args.log), scenario_path=_opt_path(args.scenario))
    if cmd == "watch":
        return _tui(watch_log=Path(args.log), show_odds=args.odds,
                    watch_scenario=_opt_path(args.scenario))
    if cmd == "serve":
        from tui.serve import serve
        return serve(Path(args.log), scenario=_opt_path(args.scenario), host=args.host,
                     port=args.port, watch_port=args.watch_port, odds=args.odds,
                     console_on_network=args.console_on_network)
    if cmd == "replay":
        if args.verify:
            return cmd_replay_verify(args)
        return _tui(replay_log=Path(args.log), scenario_path=_opt_path(args.scenario))
    if cmd == "lint":
        return cmd_lint(args)
    if cmd == "lsp":
        try:
            from tui.lsp import main as lsp_main
        except ImportError as e:
            print(f"spillover: the language server needs pygls ({e.name} is missing): "
                  "pip install 'spillover[lsp]'", file=sys.stderr)
            return EXIT_USAGE
        return lsp_main()
    if cmd == "translate":
        from tui.cli_strings import cmd_translate
        return cmd_translate(args)
    if cmd == "schema":
        from engine.format.schema import json_schema
        print(json.dumps(json_schema(), indent=2, ensure_ascii=False))
        return EXIT_OK
    if cmd in ("explore", "randomtest", "graph"):
        from tui import cli_analysis
        return getattr(cli_analysis, f"cmd_{cmd}")(args)
    if cmd == "play":
        from tui.cli_play import cmd_play
        return cmd_play(args)
    if cmd in ("report", "compare", "fork"):
        from tui import cli_report
        return getattr(cli_report, f"cmd_{cmd}")(args)
    raise AssertionError(cmd)


def _opt_path(p: str | None) -> Path | None:
    return Path(p) if p else None


def _tui(**kwargs) -> int:
    if not sys.stdout.isatty() and not os.environ.get("SPILLOVER_ALLOW_NO_TTY"):
        print("spillover: the facilitator's app needs a terminal. For headless use see "
              "`spillover --help` (lint, replay --verify, report, …).", file=sys.stderr)
        return EXIT_USAGE
    if "watch_log" in kwargs:
        from tui.watch import run_watch
        return run_watch(kwargs["watch_log"], show_odds=kwargs["show_odds"],
                         scenario_path=kwargs["watch_scenario"])
    # The collector is off while Textual and the app are imported and started: those objects
    # live as long as the app, and collecting while they are made only walks them again and
    # again. `tui.app.run_in_terminal` freezes them and turns it back on after the first frame.
    gc.disable()
    from tui.app import run_app   # Textual is imported only here
    return run_app(**kwargs)


def _load_scenario_arg(path: str | None):
    from engine.format.loader import load_scenario
    if path is None:
        return None
    return load_scenario(path)


def cmd_replay_verify(args) -> int:
    from engine.play.replay import replay
    scenario = _load_scenario_arg(args.scenario)
    report = replay(args.log, scenario)
    print(report.banner())
    if report.log.header:
        print(f"  {report.authenticity.describe()}")
    header = report.log.header or {}
    if header:
        print(f"  scenario {header.get('scenario', {}).get('id')}  group {header.get('group')!r}  "
              f"seed {header.get('seed')}  started {header.get('started')}")
        if header.get("switched_off"):
            print("  counterfactual: switched off " + ", ".join(header["switched_off"]))
    if report.steps:
        last = report.steps[-1]
        turns = report.scenario.turns if report.scenario else ()
        label = turns[last.state.turn].label if last.state.turn < len(turns) else ""
        counts: dict[str, int] = {}
        for rec in report.log.actions:
            key = str(rec.get("action", "?"))
            counts[key] = counts.get(key, 0) + 1
        n = len(report.log.actions)
        print(f"  {n} action{'' if n == 1 else 's'} "
              f"({', '.join(f'{k} {v}' for k, v in sorted(counts.items()))}); "
              f"reached turn {last.state.turn} ({label})"
              + ("; ended" if last.state.ended else ""))
    for problem in report.problems:
        print(f"  - {problem}")
    for d in report.log.diagnostics:
        if d.severity != "error":
            print(f"  - {d.format()}")
    from engine.play.replay import VERIFIED_ENDED
    if not report.verified:
        return EXIT_FINDINGS
    return EXIT_OK if report.verdict == VERIFIED_ENDED else EXIT_NOT_ENDED


def _is_catalogue(path: Path) -> bool:
    """A catalogue file has none of the top-level keys only a scenario has."""
    from engine.format.schema import is_catalogue_text
    try:
        if not path.is_file():        # a pipe or a device is never read here
            return False
        with open(path, "rb") as f:
            text = f.read(32 << 20).decode("utf-8", errors="replace")
    except OSError:
        return False
    return is_catalogue_text(text)


def cmd_lint(args) -> int:
    from engine.format.loader import check_catalogues, check_scenario
    from engine.i18n import Messages, resolve_language
    if args.max_states is not None and args.max_states < 1:
        print("spillover: --max-states must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    m = Messages(resolve_language(args.lang))
    all_diags = []
    results = []
    coverage = {}
    catalogues = [Path(p) for p in args.paths if _is_catalogue(Path(p))]
    scenarios = [Path(p) for p in args.paths if Path(p) not in catalogues]
    if catalogues:
        diags = check_catalogues(catalogues)
        all_diags += diags
        results.append(("catalogue " + ", ".join(map(str, catalogues)), None, diags, []))
    reach = {}
    for path in scenarios:
        scenario, diags = check_scenario(path)
        if scenario is not None and not args.no_explore:
            reach[str(path)] = _reachability(scenario, args.max_states)
            diags = diags + list(reach[str(path)].diagnostics)
        covered = []
        if scenario is not None:
            diags = diags + _translation_diags(scenario, args.lang, covered)
            coverage[str(path)] = {c.lang: {"total": c.total, "current": c.current,
                                            "stale": c.stale, "missing": c.missing}
                                   for c in covered}
        all_diags += diags
        results.append((str(path), scenario, diags, covered))
    errors = sum(d.severity == "error" for d in all_diags)
    warnings = len(all_diags) - errors
    if args.json:
        print(json.dumps({"errors": errors, "warnings": warnings, "diagnostics": [
            {"file": d.file, "line": d.line, "col": d.col, "code": d.code,
             "severity": d.severity, "message": d.message, "hint": d.hint} for d in all_diags],
            # per scenario that loaded: whether the reachability check completed, and what
            # it covered (null with --no-explore)
            "reachability": {name: reach[name].to_json() if name in reach else None
                             for name, scenario, _d, _c in results if scenario is not None},
            "coverage": coverage}, indent=2, ensure_ascii=False))
    else:
        for name, scenario, diags, covered in results:
            for d in diags:
                print(d.format())
            if scenario is not None:
                title = covered[0].title if args.lang and covered else scenario.title
                print(f"{name}: {title} — " + scenario_counts(m, scenario))
                print(f"{name}: " + (reach[name].summary() if name in reach
                                     else "reachability not checked (--no-explore)"))
            for c in covered:
                print(coverage_line(m, name, c))
        unchecked = sum(not r.complete for r in reach.values())
        print(", ".join([m.n_("{n} error", "{n} errors", errors).format(n=m.number(errors)),
                         m.n_("{n} warning", "{n} warnings", warnings).format(
                             n=m.number(warnings))])
              + (f"; reachability check incomplete for {unchecked} scenario"
                 f"{'s' * (unchecked != 1)}" if unchecked else ""))
    return EXIT_FINDINGS if errors else EXIT_OK


def _reachability(scenario, max_states: int | None):
    """Unreachable branches and dead ends when a small exploration completes, and what it
    covered when it does not."""
    from engine.analysis.reachability import check_reachability
    if max_states is None:
        return check_reachability(scenario)
    return check_reachability(scenario, max_states)


def scenario_counts(m, sc) -> str:
    """'12 branches, 3 injects, …' in the interface language `m` (plural forms and all)."""
    counts = [(m.n_("{n} branch", "{n} branches", len(sc.branches)), len(sc.branches)),
              (m.n_("{n} inject", "{n} injects", len(sc.injects)), len(sc.injects)),
              (m.n_("{n} variable", "{n} variables", len(sc.variables)), len(sc.variables)),
              (m.n_("{n} turn", "{n} turns", len(sc.turns)), len(sc.turns)),
              (m.n_("{n} event", "{n} events", len(sc.events)), len(sc.events))]
    return ", ".join(text.format(n=m.number(n)) for text, n in counts)


def coverage_line(m, name: str, c) -> str:
    """One language's translation coverage of a scenario, in the interface language `m`."""
    from babel import Locale, UnknownLocaleError
    try:
        language = Locale.parse(c.lang).get_display_name(m.locale) or c.lang
    except (UnknownLocaleError, ValueError, LookupError):
        language = c.lang
    return m._("{name}: {language} text {percent} translated ({current} of {total} current, "
               "{stale} stale, {missing} missing)").format(
        name=name, language=language, percent=m.percent(c.percent / 100),
        current=m.number(c.current), total=m.number(c.total), stale=m.number(c.stale),
        missing=m.number(c.missing))


def _translation_diags(scenario, lang: str | None, covered: list) -> list:
    """Missing and stale translations (SP801–SP804) of `lang`, or of every language that
    has a string table; each language's coverage is appended to `covered`."""
    import attrs

    from engine.format.tables import table_langs, translate
    out = []
    for code in ([lang] if lang else table_langs(scenario)):
        t = translate(scenario, code)
        out += t.diagnostics
        covered.append(attrs.evolve(t.coverage, title=t.scenario.title))
    return out



if __name__ == "__main__":
    sys.exit(main())
