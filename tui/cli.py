"""The `spillover` command.

Headless commands (lint, schema, replay --verify, explore, randomtest, graph, report, compare,
fork, play) never import Textual, so they start fast; only the TUI commands load it.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import sys
from pathlib import Path

from engine import __version__
from engine.analysis.limits import DEFAULT_MAX_STATES
from engine.diagnostics import DiagnosticError
from engine.i18n import N_, _, ngettext

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
EXIT_NOT_ENDED = 3          # replay --verify: verified so far, or up to a torn tail
NO_INJECTS_HELP = N_("release no inject by hand (on-demand ones, or scheduled ones after their "
                   "turn); scheduled injects are still released when their turn begins")


class HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter with its 'usage: ' said in the interface language."""

    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, _("usage: ") if prefix is None else prefix)

    def start_section(self, heading):
        # argparse's own group headings, in the interface language
        super().start_section(_(ARGPARSE_HEADINGS.get(heading, heading)) if heading else heading)


ARGPARSE_HEADINGS = {"positional arguments": N_("positional arguments"),
                     "options": N_("options")}
# argparse's commonest errors, as whole sentences in the interface language
ARGPARSE_ERRORS = (
    (re.compile(r"the following arguments are required: (?P<names>.+)"),
     N_("the following arguments are required: {names}")),
    (re.compile(r"unrecognized arguments: (?P<names>.+)"), N_("unrecognized arguments: {names}")),
    (re.compile(r"argument (?P<arg>\S+): invalid choice: (?P<value>.+?) "
                r"\(choose from (?P<choices>.+)\)"),
     N_("argument {arg}: invalid choice: {value} (choose from {choices})")),
    (re.compile(r"argument (?P<arg>\S+): invalid int value: (?P<value>.+)"),
     N_("argument {arg}: not a whole number: {value}")),
    (re.compile(r"argument (?P<arg>\S+): expected one argument"),
     N_("argument {arg}: expected one argument")),
)


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose -h and 'usage: ' are said in the interface language."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", HelpFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self.add_argument("-h", "--help", action="help",
                          help=_("show this help message and exit"))

    def error(self, message):
        for pattern, sentence in ARGPARSE_ERRORS:
            m = pattern.fullmatch(message)
            if m:
                message = _(sentence).format(**m.groupdict())
                break
        self.print_usage(sys.stderr)
        self.exit(2, _("{prog}: error: {message}").format(prog=self.prog, message=message)
                  + "\n")


def _parser() -> argparse.ArgumentParser:
    p = Parser(
        prog="spillover",
        description=_("A terminal tabletop aid for seminar wargames. With no command, opens the "
                      "bundled NATO–Japan scenario in the facilitator's app."))
    p.add_argument("--version", action="version", version=f"spillover {__version__}",
                   help=_("show the version and exit"))
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    run = sub.add_parser("run", help=_("open a scenario in the facilitator's app"),
                         description=_("Open a scenario in the facilitator's app (setup screen "
                                       "first)."))
    run.add_argument("scenario", nargs="?",
                     help=_("scenario YAML (default: the bundled NATO–Japan one)"))
    run.add_argument("--log", help=_("where to write the session log "
                       "(default sessions/<scenario>-<group>-<timestamp>.jsonl)"))
    run.add_argument("--group", help=_("group name (pre-fills the setup screen)"))
    run.add_argument("--seed", type=int, help=_("dice seed (pre-fills the setup screen)"))
    run.add_argument("--sign", action="store_true", help=_("sign the session's log with this "
                       "machine's key (made on first use in the user's config folder)"))
    run.add_argument("--watch", action="store_true",
                     help=_("for authors: reload the scenario when its files change, re-applying "
                       "the session's actions to the new version (in a new log)"))
    run.add_argument("--turn", type=int, metavar="N",
                     help=_("for authors: start the session at turn N (a test session)"))
    run.add_argument("--set", action="append", default=[], metavar="VAR=VALUE",
                     help=_("for authors: start with VAR set to VALUE (logged as an override; "
                       "repeat for several; a set as a,b)"))
    run.add_argument("--lang", type=_lang, help=_(LANG_HELP))

    res = sub.add_parser("resume", help=_("continue a logged session in the app"),
                         description=_("Continue a logged session: replays it, then appends to "
                                       "it."))
    res.add_argument("log", help=_("session log (.jsonl)"))
    res.add_argument("--scenario", help=_("scenario YAML, if it moved since the session"))

    wat = sub.add_parser("watch", help=_("the player view: follow a live session, read only"),
                         description=_("The player view for a projector or a second screen: "
                           "follows a session log as it grows (turn, clock, situation, moves this "
                           "turn, the latest inject in full, signposts). Never writes the log."))
    wat.add_argument("log", help=_("session log (.jsonl) being played"))
    wat.add_argument("--odds", action="store_true",
                     help=_("also show dice, modifiers and the chance of a waiting roll"))
    wat.add_argument("--scenario", help=_("scenario YAML, if it moved since the session"))

    srv = sub.add_parser("serve", help=_("serve the console and the player view in the browser"),
                         description=_("Serve the facilitator's console and the read-only player "
                           "view over HTTP with textual-serve, for remote participants. The "
                           "console resumes LOG (or sets up a new session there when LOG does "
                           "not exist yet). Localhost only unless --host says otherwise; on "
                           "a --host others can reach, only the player view is served there "
                           "and the console stays on this machine (--console-on-network to "
                           "share it)."))
    srv.add_argument("log", help=_("session log (.jsonl): resumed, or where a new session goes"))
    srv.add_argument("--scenario", help=_("scenario YAML (a new session; or if it moved)"))
    srv.add_argument("--host", default="localhost", help=_("address to listen on (default "
                                                           "localhost)"))
    srv.add_argument("--port", type=int, default=8000, help=_("the console's port (default 8000)"))
    srv.add_argument("--watch-port", type=int,
                     help=_("the player view's port (default: the console's port + 1)"))
    srv.add_argument("--odds", action="store_true", help=_("show the odds in the player view"))
    srv.add_argument("--console-on-network", action="store_true",
                     help=_("with a --host others can reach, serve the console there too "
                            "(by default it listens on this machine only: anyone who opens it "
                            "can play and write the log)"))

    rep = sub.add_parser("replay", help=_("step through a logged session, or verify it"),
                         description=_("Open a logged session in the replay screen, or with "
                                       "--verify "
                           "print what verification proves: exit 0 verified and ended, 3 verified "
                           "so far (no end record) or torn tail, 1 edited, not authentic, scenario "
                           "changed, diverged or unreadable."))
    rep.add_argument("log", help=_("session log (.jsonl)"))
    rep.add_argument("--verify", action="store_true", help=_("headless: print the summary only"))
    rep.add_argument("--scenario", help=_("scenario YAML, if it moved since the session"))

    lint = sub.add_parser("lint", help=_("check scenario and catalogue files"),
                          description=_("Check scenarios (and catalogue files). Exit 0 when clean, "
                            "1 when errors are found; warnings are printed but do not fail."))
    lint.add_argument("paths", nargs="+", help=_("scenario or catalogue YAML files"))
    lint.add_argument("--no-explore", action="store_true",
                      help=_("skip the reachability check by exploration"))
    lint.add_argument("--max-states", type=int, default=None, metavar="N",
                      help=_("budget of the reachability check in distinct states "
                        "(default 20,000); lint says when the check did not complete"))
    lint.add_argument("--json", action="store_true", help=_("machine-readable output"))
    lint.add_argument("--lang", type=_lang, help=_("check the string tables of LANG only, and "
                        "speak LANG (default: every language with a table; your setting, LANG)"))

    sub.add_parser("lsp", help=_("a language server for editors (stdio)"),
                   description=_("Run the scenario language server over stdin/stdout: live "
                     "diagnostics, completion, hover, go-to-definition and symbols in any editor "
                     "that speaks LSP (see docs/AUTHORING.md). Needs pip install "
                     "'spillover[lsp]'."))

    tr = sub.add_parser("translate", help=_("add the texts a language still lacks to its string "
                          "tables, to fill in"), description=_("Append every untranslated text of "
                          "the scenario to the string table beside the file it comes from (English "
                          "in a comment, `text` empty); `lint --lang` then counts what is left."))
    tr.add_argument("scenario")
    tr.add_argument("--lang", type=_lang, required=True)
    sub.add_parser("schema", help=_("print the JSON Schema of the scenario format"),
                   description=_("Print the JSON Schema (draft 2020-12) of scenario, include and "
                     "catalogue files, for editor completion."))

    exp = sub.add_parser("explore", help=_("explore every path through a scenario"),
                         description=_("Exhaustive exploration of a scenario's reachable states: "
                           "unreachable branches, dead ends, failures, and the exact odds of each "
                           "outcome under a facilitator policy (docs/ANALYSIS.md). Exit 0 when "
                           "clean, 1 on findings, 2 on a usage error or when --max-states stops "
                           "it before it finds anything."))
    exp.add_argument("scenario")
    exp.add_argument("--max-states", type=int, default=DEFAULT_MAX_STATES,
                     help=_("stop after N distinct states (default %(default)s)"))
    exp.add_argument("--json", action="store_true", help=_("machine-readable output"))
    exp.add_argument("--weights", help=_("JSON file of choice weights {\"branch:option\": w, "
                       "\"branch\": w, \"inject:id\": w, \"pass\": w} for the facilitator "
                       "policy (default: every available choice equally likely)"))
    exp.add_argument("--no-injects", action="store_true", help=_(NO_INJECTS_HELP))
    exp.add_argument("--switch-off", action="append", default=[], metavar="EVENT",
                     help=_("counterfactual: treat this event as not having occurred (repeatable)"))
    exp.add_argument("--paths", action="store_true",
                     help=_("print a shortest sequence of choices reaching each branch"))
    exp.add_argument("--top", type=int, default=10, help=_("end outcomes to list (default 10)"))

    rt = sub.add_parser("randomtest", help=_("seeded random playthroughs"),
                        description=_("Seeded random playthroughs steered toward the least-played "
                          "choices; stops at the first failure (an effect out of range, or a dead "
                          "end) and prints how to reproduce it. Exit 0 when none fails, 1 on a "
                          "failure, 2 on a usage error."))
    rt.add_argument("scenario")
    rt.add_argument("-n", type=int, default=1000, help=_("number of playthroughs (default 1000)"))
    rt.add_argument("--seed", type=int, default=0, help=_("seed of the run (default 0)"))
    rt.add_argument("--playthrough", type=int, metavar="I",
                    help=_("re-run playthroughs 0..I of this seed and print playthrough I in full"))
    rt.add_argument("--no-injects", action="store_true", help=_(NO_INJECTS_HELP))
    rt.add_argument("--allow-dead-ends", action="store_true",
                    help=_("count dead ends instead of stopping at the first one"))
    rt.add_argument("--switch-off", action="append", default=[], metavar="EVENT",
                    help=_("counterfactual: treat this event as not having occurred (repeatable)"))
    rt.add_argument("--json", action="store_true", help=_("machine-readable output"))

    gr = sub.add_parser("graph", help=_("export the scenario as a graph"),
                        description=_("Branches, injects and the events they cite as a Mermaid "
                          "flowchart or a Graphviz DOT graph: which moves open (solid), close "
                          "(dashed red) or shift the odds of (dotted orange) which others."))
    gr.add_argument("scenario")
    gr.add_argument("--format", choices=["mermaid", "dot"], default="mermaid")
    gr.add_argument("--group-by", choices=["turn", "actor"], default="turn")
    gr.add_argument("-o", "--output", help=_("write to FILE instead of stdout"))
    gr.add_argument("--branch", action="append", default=[], metavar="ID",
                    help=_("only the edges into and out of this branch or inject (repeatable)"))
    gr.add_argument("--variable", action="append", default=[], metavar="NAME",
                    help=_("only the edges carried by this state variable (repeatable)"))

    rpt = sub.add_parser("report", help=_("after-action report and improvement plan of a session"),
                         description=_("Write the after-action report and improvement plan "
                           "(Markdown, or HTML by -o *.html; a Markdown file gets its charts "
                           "as SVG files in FILE.charts/)."))
    rpt.add_argument("log")
    rpt.add_argument("-o", "--output", help=_("FILE.md or FILE.html (default: Markdown to stdout)"))
    rpt.add_argument("--scenario", help=_("scenario YAML, if it moved since the session"))
    rpt.add_argument("--lang", type=_lang, help=_(LANG_HELP))

    cmp_ = sub.add_parser("compare", help=_("compare several groups' sessions"),
                          description=_("Compare sessions of the same scenario (Markdown, or "
                            "HTML with charts by -o *.html)."))
    cmp_.add_argument("logs", nargs="+", help=_("two or more session logs (.jsonl)"))
    cmp_.add_argument("-o", "--output", help=_("FILE.md or FILE.html (default: Markdown to "
                                               "stdout)"))
    cmp_.add_argument("--scenario", help=_("scenario YAML, if it moved since the sessions"))
    cmp_.add_argument("--lang", type=_lang, help=_(LANG_HELP))

    play = sub.add_parser("play", help=_("play a session headless: JSON actions on stdin"),
                          description=_("Start (or --resume) a session and take actions from "
                                        "stdin, "
                            "one JSON object per line, e.g. {\"action\": \"choose\", \"branch\": "
                            "\"b\", \"option\": \"o\", \"rationale\": \"…\"}. Each gets one "
                            "JSON line "
                            "on stdout, written once the action is on disk: {\"ok\": true, \"n\", "
                            "\"turn\", \"state\", …} or {\"ok\": false, \"code\", \"message\"}. "
                            "See docs/ANALYST.md."))
    play.add_argument("scenario", nargs="?", help=_("scenario YAML (default: the bundled one; "
                        "with --resume, only if it moved since the session)"))
    play.add_argument("--log", help=_("the new session's log file"))
    play.add_argument("--resume", metavar="LOG", help=_("continue this session instead"))
    play.add_argument("--group", default="group", help=_("group name (default 'group')"))
    play.add_argument("--seed", type=int, default=1, help=_("dice seed (default 1)"))
    play.add_argument("--switch-off", action="append", default=[], metavar="EVENT",
                      help=_("counterfactual: treat this event as not having occurred "
                             "(repeatable)"))
    play.add_argument("--sign", action="store_true", help=_("sign the new session's log"))

    fork = sub.add_parser("fork", help=_("start a new session from part of an old one"),
                          description=_("Keep the first N actions of a session and continue "
                                        "from there."))
    fork.add_argument("log")
    fork.add_argument("--at", type=int, required=True, help=_("keep actions 1..N (0 keeps none)"))
    fork.add_argument("--log", dest="new_log", help=_("the new session's log file "
                        "(default: next to the parent, <stem>-fork<N>-<timestamp>.jsonl)"))
    fork.add_argument("--group",
                      help=_("group name of the fork (default: the parent's + ' (fork)')"))
    fork.add_argument("--scenario", help=_("scenario YAML, if it moved since the session"))

    st = sub.add_parser("settings", help=_("show or save the interface language"),
                        description=_("Show the interface language and where it comes from; "
                          "--lang saves it as your setting for every later command, --forget "
                          "drops the setting (then LANG decides again)."))
    st.add_argument("--lang", type=_lang, help=_("save LANG (en, ru, …) as your language"))
    st.add_argument("--forget", action="store_true", help=_("drop the saved language"))

    for name, command in sub.choices.items():    # --lang everywhere, the one meaning of it
        if name not in LANG_OWN:
            command.add_argument("--lang", type=_lang, help=_(UI_LANG_HELP))
    return p


RUN_OPTIONS = ("--log", "--group", "--seed", "--sign", "--lang")
COMMANDS = ("run", "resume", "watch", "serve", "replay", "lint", "lsp", "translate", "schema",
            "explore", "randomtest", "graph", "report", "compare", "play", "fork", "settings")
LANG_HELP = N_("the interface language, and the scenario's text in it from its string tables "
               "(en, ru, …; default: your setting, then LANG)")
UI_LANG_HELP = N_("the interface language (en, ru, …; default: your setting, then LANG)")
# Commands whose --lang is their own: `translate --lang` is the language written to (the
# interface speaks the setting's or the environment's language); the others add it above.
LANG_OWN = ("run", "lint", "report", "compare", "translate", "settings")


def _lang(text: str) -> str:
    from engine.i18n import LANG_RE
    if not LANG_RE.match(text):
        raise argparse.ArgumentTypeError(
            _("'{text}' is not a language code such as en or ru").format(text=text))
    return text


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    lang_first = 2 if argv[:1] == ["--lang"] else 1 if argv[:1] and argv[0].startswith(
        "--lang=") else 0
    if lang_first and len(argv) > lang_first and argv[lang_first] in COMMANDS:
        # `spillover --lang ru lint …` is `spillover lint --lang ru …`
        argv = [argv[lang_first], *argv[:lang_first], *argv[lang_first + 1:]]
    if argv and argv[0].split("=", 1)[0] in RUN_OPTIONS:
        argv.insert(0, "run")        # `spillover --log x.jsonl` is `spillover run --log …`
    from engine.i18n import resolve_language, set_language
    set_language(resolve_language(interface_lang(argv)))   # before any text, --help's too
    args = _parser().parse_args(argv)
    from engine.i18n import resolve_language, set_language
    # --lang is the interface language too, except for `translate`, where it names the
    # language written to (that command speaks the setting's or the environment's)
    set_language(resolve_language(None if args.command == "translate"
                                  else getattr(args, "lang", None)))
    if args.command == "watch" and args.lang is None:
        # the room reads the player view in the language the session is played in
        session_lang = _session_language(Path(args.log))
        if session_lang:
            set_language(session_lang)
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


def _session_language(log: Path) -> str | None:
    """The language a session log says it is played in, or None (no log yet, unreadable)."""
    from engine.play.replay import logged_lang
    try:
        return logged_lang(log)
    except (OSError, ValueError):
        return None


def interface_lang(argv: list[str]) -> str | None:
    """The `--lang` of a command line (None when absent, malformed, or `translate`'s own)."""
    from engine.i18n import LANG_RE
    if argv[:1] == ["translate"]:
        return None
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        value = argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else (
            arg.partition("=")[2] if arg.startswith("--lang=") else None)
        if value is not None:
            return value if LANG_RE.match(value) else None
    return None


def cmd_settings(args) -> int:
    from engine import i18n
    if args.lang and args.forget:
        print("spillover: " + _("give --lang or --forget, not both"), file=sys.stderr)
        return EXIT_USAGE
    if args.lang:
        try:
            path = i18n.save_language(args.lang)
        except OSError as e:
            print("spillover: " + _("cannot save the setting: {reason}").format(
                reason=e.strerror or e), file=sys.stderr)
            return EXIT_FINDINGS
        print(_("language: {lang} (saved in {path})").format(lang=args.lang, path=path))
        return EXIT_OK
    if args.forget:
        i18n.forget_language()
        i18n.set_language(i18n.resolve_language(None))
    saved, env = i18n.saved_language(), i18n.environment_language()
    said = (_("language: {lang} (from your setting)") if saved
            else _("language: {lang} (from the environment)") if env
            else _("language: {lang} (the default)"))
    print(said.format(lang=i18n.current_language()))
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
                print("spillover: " + _("--set {item}: write VAR=VALUE").format(item=item),
                      file=sys.stderr)
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
            print("spillover: " + _("the language server needs pygls ({name} is missing): pip "
                                    "install 'spillover[lsp]'").format(name=e.name),
                  file=sys.stderr)
            return EXIT_USAGE
        return lsp_main(lang_given=getattr(args, "lang", None) is not None)
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
    if cmd == "settings":
        return cmd_settings(args)
    if cmd in ("report", "compare", "fork"):
        from tui import cli_report
        return getattr(cli_report, f"cmd_{cmd}")(args)
    raise AssertionError(cmd)


def _opt_path(p: str | None) -> Path | None:
    return Path(p) if p else None


def _tui(**kwargs) -> int:
    if not sys.stdout.isatty() and not os.environ.get("SPILLOVER_ALLOW_NO_TTY"):
        print("spillover: " + _("the facilitator's app needs a terminal. For headless use see "
                                "`spillover --help` (lint, replay --verify, report, …)."),
              file=sys.stderr)
        return EXIT_USAGE
    if "watch_log" in kwargs:
        from tui.watch import run_watch
        return run_watch(kwargs["watch_log"], show_odds=kwargs["show_odds"],
                         scenario_path=kwargs["watch_scenario"])
    # The collector is off while Textual and the app are imported and started: those objects
    # live as long as the app, and collecting while they are made only walks them again and
    # again. `tui.app.run_in_terminal` freezes them and turns it back on after the first frame.
    gc.disable()
    from tui.app import run_app  # Textual is imported only here
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
        print("  " + _("scenario {id}  group {group}  seed {seed}  started {started}").format(
            id=header.get('scenario', {}).get('id'), group=repr(header.get('group')),
            seed=header.get('seed'), started=header.get('started')))
        if header.get("switched_off"):
            print("  " + _("counterfactual: switched off {events}").format(
                events=", ".join(header["switched_off"])))
    if report.steps:
        last = report.steps[-1]
        turns = report.scenario.turns if report.scenario else ()
        label = turns[last.state.turn].label if last.state.turn < len(turns) else ""
        counts: dict[str, int] = {}
        for rec in report.log.actions:
            key = str(rec.get("action", "?"))
            counts[key] = counts.get(key, 0) + 1
        n = len(report.log.actions)
        print("  " + ngettext("{n} action ({counts}); reached turn {turn} ({label})",
                              "{n} actions ({counts}); reached turn {turn} ({label})", n).format(
            n=n, counts=", ".join(f"{k} {v}" for k, v in sorted(counts.items())),
            turn=last.state.turn, label=label) + ("; " + _("ended") if last.state.ended else ""))
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
        print("spillover: " + _("--max-states must be at least 1"), file=sys.stderr)
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
                                     else _("reachability not checked (--no-explore)")))
            for c in covered:
                print(coverage_line(m, name, c))
        unchecked = sum(not r.complete for r in reach.values())
        print(", ".join([m.n_("{n} error", "{n} errors", errors).format(n=m.number(errors)),
                         m.n_("{n} warning", "{n} warnings", warnings).format(
                             n=m.number(warnings))])
              + ("; " + ngettext("reachability check incomplete for {n} scenario",
                                 "reachability check incomplete for {n} scenarios",
                                 unchecked).format(n=unchecked) if unchecked else ""))
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
