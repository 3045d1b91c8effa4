"""A verified checkpoint beside a session log, so that resuming does not replay the whole log.

The log stays the record and is never rewritten. The checkpoint (`LOG.checkpoint`) is a
cache of what replaying the log's first lines gives: the live state, the state the turn
began with, and the undo stack. It is trusted only when every part of it is pinned by the
log itself:

- the log's first `size` bytes must hash (SHA-256) to its `digest`: the lines it covers are
  byte for byte the ones the session wrote or verified, hash chain included;
- every state it holds must hash to its key, and every key must be a state hash the log
  records (the live state's is the last covered line's, an undo entry's is the line before
  the undone action, the turn's start is the line of the turn change);
- its undo stack is a list of action numbers, each checked against the line it names (an
  undoable action of that number, in log order); the turn's start, and each entry's, is the
  turn change nearest below it on the stack. So resuming reads those few lines, not the
  log: the others stay undecoded (engine.play.log.LazyRecords) until something reads them.
  The stack must also be exactly the undoable actions that no undo in those lines took
  back, read off the lines' bytes without decoding them (the digest covers the log, not the
  checkpoint file, so an edited stack is caught here). The hash chain of the covered lines
  is what the digest vouches for; `spillover replay --verify` checks it from scratch.

A checkpoint that is missing, torn, stale (the log differs from what it covers), of another
scenario logic or engine version, or tampered with is ignored, with the reason, and the
whole log is replayed. `spillover replay --verify` never reads a checkpoint.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from engine import __version__
from engine.i18n import _
from engine.model import from_json_value
from engine.play import records as lr
from engine.play.log import standing_actions
from engine.play.rules import Env, GameState, Pending, state_hash, state_json

CHECKPOINT_FORMAT = 2               # 2: the undo stack is in it (1: read off every line)
EVERY = 1000                      # a live session writes one every this many lines
MAX_CHECKPOINT_BYTES = 64 << 20   # like a log: bounded read


def checkpoint_path(log_path: str | os.PathLike[str]) -> Path:
    path = Path(log_path)
    return path.with_name(path.name + ".checkpoint")


@attrs.frozen
class UndoEntry:
    """An undoable action on the session's undo stack: its number, the state before it, and
    the turn's start when it was made (the state and the line it was logged on)."""

    n: int
    before: GameState
    before_hash: str
    turn_start: GameState
    turn_start_line: int


@attrs.frozen
class Snapshot:
    """What a live session holds beyond its log lines."""

    lines: int                       # log lines, the header included
    state: GameState
    turn_start: GameState            # the state the turn began with…
    turn_start_line: int             # …logged on this line (0: the header)
    undo: tuple[UndoEntry, ...]


@attrs.frozen
class Checkpoint:
    size: int                        # bytes of the log covered
    digest: str                      # SHA-256 of those bytes
    lines: int                       # lines covered, the header included
    logic: str                       # the scenario's logic hash
    states: dict[str, dict[str, Any]] = attrs.field(eq=False, repr=False)   # hash → plain
    undo: tuple[int, ...] = ()       # the undo stack: the action numbers, bottom first


class CheckpointIgnored(Exception):
    """Why a checkpoint cannot be trusted (the message says it, for the facilitator)."""


# ---------------------------------------------------------------------------- writing

def write_checkpoint(log_path: Path, size: int, digest: str, logic: str, snap: Snapshot,
                     env: Env) -> bool:
    """Write the checkpoint of a log whose first `size` bytes hash to `digest`. Atomic (a
    temporary file renamed over the old one); a failure (a full disk) only means the next
    resume replays more, so it is swallowed and reported as False, never raised."""
    states: dict[str, dict[str, Any]] = {}
    seen: set[int] = set()

    def keep(state: GameState, key: str | None = None) -> None:
        if id(state) not in seen:       # states are shared: each is written once
            seen.add(id(state))
            states[key or state_hash(state, env)] = state_json(state, env)

    keep(snap.state)
    keep(snap.turn_start)
    for e in snap.undo:
        keep(e.before, e.before_hash)
        keep(e.turn_start)
    body = {"checkpoint": CHECKPOINT_FORMAT, "engine": __version__, "size": size,
            "digest": digest, "lines": snap.lines, "logic": logic, "states": states,
            "undo": [e.n for e in snap.undo]}
    target = checkpoint_path(log_path)
    tmp = target.with_name(target.name + ".tmp")
    try:
        tmp.write_text(json.dumps(body, ensure_ascii=False, separators=(",", ":")),
                       encoding="utf-8")
        os.replace(tmp, target)
    except OSError:
        tmp.unlink(missing_ok=True)
        return False
    return True


# ---------------------------------------------------------------------------- reading

def read_checkpoint(log_path: str | os.PathLike[str]) -> Checkpoint | None:
    """The checkpoint beside a log, None when there is none; CheckpointIgnored when it is
    unreadable, torn or of another engine version."""
    path = checkpoint_path(log_path)
    try:
        if not path.is_file():
            return None
        if path.stat().st_size > MAX_CHECKPOINT_BYTES:
            raise CheckpointIgnored(_("the checkpoint is larger than any this engine writes"))
        raw = json.loads(path.read_bytes().decode("utf-8"))
    except OSError as e:
        raise CheckpointIgnored(_("the checkpoint cannot be read ({error})").format(
            error=e.strerror or e)) from None
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise CheckpointIgnored(_("the checkpoint is torn or damaged")) from None
    if not isinstance(raw, dict) or raw.get("checkpoint") != CHECKPOINT_FORMAT:
        raise CheckpointIgnored(_("the checkpoint is not in a format this engine reads"))
    if raw.get("engine") != __version__:
        raise CheckpointIgnored(_("the checkpoint was written by another engine version"))
    try:
        states = raw["states"]
        if not isinstance(states, dict) or not all(isinstance(v, dict) for v in states.values()):
            raise TypeError("states")
        digest, logic = raw["digest"], raw["logic"]
        if not isinstance(digest, str) or not isinstance(logic, str):
            raise TypeError("digest")
        undo = raw["undo"]
        if not isinstance(undo, list):
            raise TypeError("undo")
        return Checkpoint(_count(raw["size"]), digest, _count(raw["lines"]), logic, states,
                          tuple(map(_count, undo)))
    except (KeyError, TypeError, ValueError):
        raise CheckpointIgnored(_("the checkpoint is damaged (a field is missing or of the "
                                  "wrong kind)")) from None


def _count(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise TypeError("not a count")
    return value


def prefix_matches(data: bytes, cp: Checkpoint) -> bool:
    """Whether the log's bytes begin with exactly the lines the checkpoint covers."""
    return (0 < cp.size <= len(data) and data[cp.size - 1:cp.size] == b"\n"
            and hashlib.sha256(data[:cp.size]).hexdigest() == cp.digest)


def restore(cp: Checkpoint, records: Sequence[dict[str, Any]], env: Env,
            undoable: frozenset[str]) -> Snapshot:
    """The session's snapshot after the checkpoint's lines, which `records` (header first)
    must begin with, byte for byte the log's. Reads only the lines the checkpoint names: the
    last one, and the undo stack's (`undoable`: the actions an undo takes back) with the
    line before each; every state is checked against the hash the log records for it.
    CheckpointIgnored when anything does not match."""
    if cp.logic != env.scenario.logic_hash:
        raise CheckpointIgnored(_("the checkpoint was made with another version of the "
                                  "scenario"))
    if not 0 < cp.lines <= len(records):
        raise CheckpointIgnored(_("the checkpoint covers more lines than the log holds"))
    cache: dict[str, GameState] = {}

    def at(line: int) -> tuple[GameState, str]:
        """The state the log records on 0-based line `line` (0: the header), and its hash."""
        key = records[line].get("state")
        if not isinstance(key, str) or key not in cp.states:
            raise CheckpointIgnored(_("the checkpoint lacks a state the log records"))
        if key not in cache:
            state = state_from_json(cp.states[key], env)
            if state is None or state_hash(state, env) != key:
                raise CheckpointIgnored(_("the checkpoint was altered: a state in it does "
                                          "not match its hash"))
            cache[key] = state
        return cache[key], key

    # the stack must be exactly the undoable actions no undo took back (read off the lines'
    # bytes: nothing decoded); a checkpoint file is not covered by the log's digest
    if standing_actions(records[:cp.lines], undoable) != list(cp.undo):
        raise CheckpointIgnored(_("the checkpoint's undo stack does not match the log"))
    stack: list[tuple[int, int]] = []          # (action n, its turn's start line)
    start, below = 0, 0
    for n in cp.undo:
        if not below < n < cp.lines or records[n].get("n") != n \
                or records[n].get("action") not in undoable:
            raise CheckpointIgnored(_("the checkpoint's undo stack does not match the log "
                                      "(action {n})").format(n=n))
        stack.append((n, start))
        if records[n].get("action") == lr.NextTurn.ACTION:
            start = n
        below = n
    undo = []
    for n, line in stack:
        before, before_hash = at(n - 1)
        undo.append(UndoEntry(n, before, before_hash, at(line)[0], line))
    return Snapshot(cp.lines, at(cp.lines - 1)[0], at(start)[0], start, tuple(undo))


def state_from_json(raw: dict[str, Any], env: Env) -> GameState | None:
    """The state whose plain form (`state_json`) is `raw`, or None if it is not one."""
    try:
        variables = env.scenario.variables
        values = raw["values"]
        if not isinstance(values, dict) or len(values) != len(variables):
            return None
        pending = raw.get("pending")
        fired = tuple((str(sid), int(turn)) for sid, turn in raw["fired"])
        return GameState(
            int(raw["turn"]),
            tuple(from_json_value(v.type, values[v.id]) for v in variables),
            frozenset(map(str, raw["chosen"])), tuple(map(str, raw["moves"])),
            frozenset(map(str, raw["released"])),
            Pending(str(pending[0]), str(pending[1])) if pending else None,
            fired, int(raw["rolls"]), bool(raw["ended"]), raw.get("ending"))
    except (KeyError, TypeError, ValueError, IndexError):
        return None
