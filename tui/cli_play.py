"""`spillover play`: a session driven by JSON lines on stdin (never loads Textual).

The first line out says where the session stands; then each line in gets exactly one line
out, written and flushed only after the action is on disk (see engine.play.driver).
"""

from __future__ import annotations

import json
import sys

from engine.diagnostics import DiagnosticError
from engine.i18n import Messages, _, current_language
from engine.play.driver import TOO_LONG, Driver, refusal
from engine.play.log import MAX_LINE_BYTES
from engine.play.session import Session, SessionError

CANNOT_START = "cannot_start"


def _say(obj: dict) -> None:
    # ASCII escapes: any text (even a lone surrogate echoed back) can be written
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def _open_session(args) -> Session:
    from engine.format.loader import load_scenario
    if args.resume:
        from engine.play.replay import resume
        scenario = load_scenario(args.scenario) if args.scenario else None
        return resume(args.resume, scenario)[0]
    if not args.log:
        raise SessionError(_("give --log FILE for a new session, or --resume LOG"))
    from engine.bundled import main_scenario
    scenario = load_scenario(args.scenario or main_scenario())
    signer = None
    if args.sign:
        from engine.play.signing import signing_key
        signer = signing_key()
    return Session.start(scenario, seed=args.seed, group=args.group,
                         switched_off=args.switch_off, log_path=args.log, signer=signer)


def cmd_play(args) -> int:
    try:
        session = _open_session(args)
    except SessionError as e:
        _say(refusal(CANNOT_START, str(e)))
        return 1
    except DiagnosticError as e:
        _say(refusal(CANNOT_START, _("the scenario cannot be loaded: {error}").format(
            error="; ".join(d.format() for d in e.diagnostics))))
        return 1
    driver = Driver(session)
    stdin = sys.stdin.buffer
    try:
        _say(driver.hello())
        while True:
            line = stdin.readline(MAX_LINE_BYTES + 1)
            if not line:
                break
            if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
                while line and not line.endswith(b"\n"):       # skip the rest, bounded
                    line = stdin.readline(MAX_LINE_BYTES + 1)
                _say(refusal(TOO_LONG, _("the line is longer than {n} bytes").format(
                    n=Messages(current_language()).number(MAX_LINE_BYTES))))
                continue
            if line.strip():
                _say(driver.handle_line(line.rstrip(b"\r\n")))
    finally:
        session.close()
    return 0
