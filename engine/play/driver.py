"""The headless driver behind `spillover play`: one JSON action in, one JSON answer out.

Each request is a JSON object with an `action` (choose, roll, decide, note, inject, override,
undo, next_turn, end) and its fields. The answer is an acknowledgement — given only once the
action is on disk, since the session writes and syncs its log line before returning — or a
refusal with a `code` and a `message`, after which the driver takes the next request. The
driver does not care how the requests arrive (stdin, a test); `tui.cli` feeds it lines.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from engine.i18n import _
from engine.play.errors import LogWriteError
from engine.play.log import MAX_LINE_BYTES
from engine.play.session import Outcome, Session, SessionError

ACTIONS = ("choose", "roll", "decide", "note", "inject", "override", "undo", "next_turn", "end")

# Refusal codes
BAD_JSON = "bad_json"            # the line is not a JSON object
BAD_REQUEST = "bad_request"      # unknown action, or a field missing or of the wrong type
REFUSED = "refused"              # the rules refuse the action now (the message says why)
NOT_RECORDED = "not_recorded"    # writing the log failed; nothing changed, try again
TOO_LONG = "too_long"            # the line is longer than MAX_LINE_BYTES


class _BadRequest(Exception):
    pass


def _field(req: dict, name: str, kind: type, default: Any = None) -> Any:
    value = req.get(name, default)
    if value is None or not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        expected = {str: _("text"), bool: _("true or false"),
                    int: _("a whole number")}.get(kind, _("a value"))
        raise _BadRequest(_("'{field}' should be {kind}").format(field=name, kind=expected))
    return value


def _value_text(value: Any) -> str:
    """An override value from JSON, as the facilitator would type it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "{" + ", ".join(value) + "}"
    raise _BadRequest(_("'value' should be a number, true/false, a name or a list of names"))


class Driver:
    def __init__(self, session: Session):
        self.session = session

    def hello(self) -> dict:
        """The first line `spillover play` writes: where the session stands."""
        s = self.session
        last = s.records[-1]
        return {"ok": True, "ready": True, "log": str(s.log_path), "n": len(s.records) - 1,
                "turn": s.state.turn, "state": last.get("state"), "ended": s.state.ended}

    def handle_line(self, line: bytes | str) -> dict:
        if len(line) > MAX_LINE_BYTES:
            return refusal(TOO_LONG, _("the line is longer than {n} bytes").format(
                n=f"{MAX_LINE_BYTES:,}"))
        try:
            req = json.loads(line)
        except RecursionError:
            return refusal(BAD_JSON, _("the line is nested too deeply to be an action"))
        except (ValueError, UnicodeDecodeError) as e:
            return refusal(BAD_JSON, _("the line is not JSON ({problem})").format(problem=e))
        if not isinstance(req, dict):
            return refusal(BAD_JSON, _("each line should be a JSON object such as "
                                       '{example}').format(example='{"action": "next_turn"}'))
        return self.handle(req)

    def handle(self, req: dict) -> dict:
        action = req.get("action")
        if action not in ACTIONS:
            return refusal(BAD_REQUEST, _("unknown action {action}; one of {actions}").format(
                action=repr(str(action)[:40]), actions=", ".join(ACTIONS)))
        try:
            outcome = self._perform(action, req)
        except _BadRequest as e:
            return refusal(BAD_REQUEST, f"{action}: {e}")
        except LogWriteError as e:
            return refusal(NOT_RECORDED, str(e))
        except SessionError as e:
            return refusal(REFUSED, str(e))
        return acknowledgement(outcome)

    def _perform(self, action: str, req: dict) -> Outcome:
        s = self.session
        why = lambda: _field(req, "rationale", str, "")  # noqa: E731
        calls: dict[str, Callable[[], Outcome]] = {
            "choose": lambda: s.choose(_field(req, "branch", str), _field(req, "option", str),
                                       why()),
            "roll": s.roll,
            "decide": lambda: s.decide(_field(req, "band", str) if "band" in req
                                       else _field(req, "success", bool), why()),
            "note": lambda: s.note(_field(req, "text", str)),
            "inject": lambda: s.release(_field(req, "inject", str), why()),
            "override": lambda: s.override(_field(req, "variable", str),
                                           _value_text(req.get("value")), why()),
            "undo": s.undo,
            "next_turn": s.next_turn,
            "end": lambda: s.end(_field(req, "hotwash", str, "")),
        }
        return calls[action]()


def acknowledgement(outcome: Outcome) -> dict:
    rec = outcome.record
    ack = {"ok": True, "n": rec["n"], "action": rec["action"], "turn": rec["turn"],
           "state": rec["state"], "message": outcome.message}
    if outcome.roll is not None:
        r = outcome.roll
        ack["roll"] = {"faces": list(r.faces), "total": r.total,
                       **({"band": r.band} if r.band else
                          {"target": r.target, "success": r.success})}
    return ack


def refusal(code: str, message: str) -> dict:
    return {"ok": False, "code": code, "message": message}
