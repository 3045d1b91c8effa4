"""Resuming from a verified checkpoint beside the log (engine.play.checkpoint).

A resumed session must be the very session a full replay gives — state, the turn's start,
the undo stack, the records — and a checkpoint that is stale, torn or altered is ignored,
said so, and never trusted. Sessions are played by the engine, on generated action sequences.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from engine.play import session as session_module
from engine.play.checkpoint import checkpoint_path
from engine.play.replay import LOG_EDITED, VERIFIED, replay, resume
from engine.play.session import Session, SessionError


def play(session: Session, rng: random.Random, n: int) -> None:
    """`n` engine-made actions picked by `rng`: choices (rolled when contested), undos of
    them, notes, turn changes, and undos of turn changes."""
    for _ in range(n):
        if session.state.ended:
            return
        if session.state.pending is not None:
            session.roll()
            continue
        opens = [(v.id, o.id) for v in session.branch_views() if v.open
                 for o in v.options if o.reason is None]
        pick = rng.random()
        try:
            if pick < 0.35 and opens:
                session.choose(*rng.choice(opens), f"rationale {rng.random():.3f}")
            elif pick < 0.6:
                session.undo()
            elif pick < 0.75:
                session.note(f"note {rng.random():.3f}")
            else:
                session.next_turn()
        except SessionError:
            session.note("nothing to do")


def undos(records) -> set[int]:
    """The action numbers the undo records among `records` take back."""
    return {r["undoes"] for r in records if r.get("action") == "undo"}


def fingerprint(s: Session) -> tuple:
    snap = s.snapshot()
    return (s.state_hash, s.state, s.turn_start, s.turn_start_line, s.records, s.hotwash,
            [(e.n, e.before, e.before_hash, e.turn_start, e.turn_start_line) for e in snap.undo],
            [v.reason for v in s.inject_views()])     # a chance draw that missed says so


def make_log(tutorial, path: Path, seed: int, before: int, after: int) -> Path:
    """A session with a checkpoint written after `before` actions and `after` more actions."""
    rng = random.Random(seed)
    s = Session.start(tutorial, seed=seed, group="G", log_path=path)
    play(s, rng, before)
    assert s.save_checkpoint()
    play(s, rng, after)
    s.writer.close()                  # no checkpoint on close: the one above stays
    return path


def full_resume(path: Path):
    """Resume with the checkpoint moved away, so every line is replayed."""
    cp = checkpoint_path(path)
    aside = cp.with_name(cp.name + ".aside")
    cp.rename(aside)
    try:
        s, rep = resume(path)
        s.writer.close()
        return s, rep
    finally:
        aside.rename(cp)


@pytest.mark.parametrize("seed", range(8))
def test_resuming_from_a_checkpoint_gives_the_session_a_full_replay_gives(tutorial, tmp_path,
                                                                          seed):
    path = make_log(tutorial, tmp_path / "s.jsonl", seed, 25 + seed * 5, seed * 3)
    bytes_before = path.read_bytes()
    full, _ = full_resume(path)
    quick, rep = resume(path)
    assert rep.status == VERIFIED and rep.checkpoint_lines > 1 and not rep.checkpoint_ignored
    assert "checkpoint at line" in rep.banner()
    assert fingerprint(quick) == fingerprint(full)
    assert path.read_bytes() == bytes_before            # the log is never rewritten
    # and the two go on alike: undo everything that can be undone, then play on
    rng_a, rng_b = random.Random(seed), random.Random(seed)
    full_again = Session(full.scenario, full.env, full.header, None, clock=quick.clock)
    full_again.restore(full.snapshot(), full.records)
    for _ in range(len(quick.snapshot().undo)):
        assert quick.undo().record["state"] == full_again.undo().record["state"]
    play(quick, rng_a, 10)
    play(full_again, rng_b, 10)
    assert quick.state_hash == full_again.state_hash
    quick.close()
    assert replay(path).status == VERIFIED


def checkpointed(tutorial, tmp_path) -> Path:
    return make_log(tutorial, tmp_path / "s.jsonl", 3, 30, 5)


def test_a_checkpoint_of_another_log_is_stale_and_ignored(tutorial, tmp_path):
    path = checkpointed(tutorial, tmp_path)
    other = make_log(tutorial, tmp_path / "other.jsonl", 4, 30, 5)
    checkpoint_path(path).write_bytes(checkpoint_path(other).read_bytes())
    s, rep = resume(path)
    s.close()
    assert rep.checkpoint_lines == 0 and "stale" in rep.checkpoint_ignored
    assert "was ignored" in rep.banner() and "every line was replayed" in rep.banner()


def test_a_torn_checkpoint_is_ignored(tutorial, tmp_path):
    path = checkpointed(tutorial, tmp_path)
    cp = checkpoint_path(path)
    cp.write_bytes(cp.read_bytes()[:-40])
    s, rep = resume(path)
    s.close()
    assert rep.checkpoint_lines == 0 and "torn" in rep.checkpoint_ignored


def test_an_altered_state_in_a_checkpoint_is_not_trusted(tutorial, tmp_path):
    path = checkpointed(tutorial, tmp_path)
    full, _ = full_resume(path)
    cp = checkpoint_path(path)
    raw = json.loads(cp.read_text(encoding="utf-8"))
    for state in raw["states"].values():              # every state: one more roll made
        state["rolls"] += 1
    cp.write_text(json.dumps(raw), encoding="utf-8")
    s, rep = resume(path)
    s.close()
    assert rep.checkpoint_lines == 0 and "altered" in rep.checkpoint_ignored
    assert rep.status == VERIFIED and fingerprint(s) == fingerprint(full)


def test_a_checkpoint_missing_a_state_the_log_records_is_not_trusted(tutorial, tmp_path):
    path = checkpointed(tutorial, tmp_path)
    cp = checkpoint_path(path)
    raw = json.loads(cp.read_text(encoding="utf-8"))
    raw["states"] = {}
    cp.write_text(json.dumps(raw), encoding="utf-8")
    s, rep = resume(path)
    s.close()
    assert rep.checkpoint_lines == 0 and "lacks a state" in rep.checkpoint_ignored


def test_a_log_edited_under_its_checkpoint_is_caught(tutorial, tmp_path):
    path = checkpointed(tutorial, tmp_path)
    data = path.read_bytes()
    path.write_bytes(data.replace(b'"group":"G"', b'"group":"H"', 1))
    with pytest.raises(SessionError, match="hash chain breaks at line 1"):
        resume(path)
    assert replay(path).status == LOG_EDITED


def test_other_bytes_of_the_same_records_make_the_checkpoint_stale(tutorial, tmp_path):
    """Spacing the chain's hashes do not see still differs from the bytes checkpointed."""
    path = checkpointed(tutorial, tmp_path)
    path.write_bytes(path.read_bytes().replace(b'"n":3,', b'"n":3 ,', 1))
    s, rep = resume(path)
    s.close()
    assert rep.status == VERIFIED and rep.checkpoint_lines == 0
    assert "stale" in rep.checkpoint_ignored


def test_replay_never_reads_a_checkpoint(tutorial, tmp_path):
    path = checkpointed(tutorial, tmp_path)
    checkpoint_path(path).write_text("{", encoding="utf-8")
    rep = replay(path)
    assert rep.status == VERIFIED and rep.checkpoint_lines == 0 and not rep.checkpoint_ignored
    assert "checkpoint" not in rep.banner()


def test_a_long_session_writes_checkpoints_as_it_goes(tutorial, tmp_path, monkeypatch):
    monkeypatch.setattr(session_module, "CHECKPOINT_EVERY", 10)
    path = tmp_path / "s.jsonl"
    s = Session.start(tutorial, seed=1, group="G", log_path=path)
    for i in range(8):
        s.note(f"note {i}")
    assert not checkpoint_path(path).exists()              # 9 lines
    s.note("the tenth line")
    assert json.loads(checkpoint_path(path).read_text(encoding="utf-8"))["lines"] == 10
    s.note("one more")
    s.close()                                              # and one on close
    assert json.loads(checkpoint_path(path).read_text(encoding="utf-8"))["lines"] == 11
    s, rep = resume(path)
    s.close()
    assert rep.checkpoint_lines == 11 and len(rep.steps) == 1


def test_a_short_session_leaves_no_checkpoint(tutorial, tmp_path):
    path = tmp_path / "s.jsonl"
    s = Session.start(tutorial, seed=1, group="G", log_path=path)
    s.note("a note")
    s.close()
    assert not checkpoint_path(path).exists()


@pytest.mark.parametrize("seed", range(4))
def test_the_turn_start_line_gives_the_time_the_log_gives(tutorial, seed):
    """`Session.turn_started` reads one line (the session tracks it through undos); the clock's
    scan of the whole log is the reference."""
    from engine.play.clock import turn_started_at
    times = iter(f"2026-11-29T04:{m:02d}:00+00:00" for m in range(60))
    s = Session.start(tutorial, seed=seed, group="G", clock=lambda: next(times))
    rng = random.Random(seed)
    for _ in range(50):
        play(s, rng, 1)
        assert s.turn_started() == turn_started_at(s.header, s.actions, s.state.turn)


def test_a_new_session_drops_a_checkpoint_left_by_an_earlier_log_of_its_name(tutorial,
                                                                               tmp_path):
    path = checkpointed(tutorial, tmp_path)
    path.unlink()                                        # the log goes, its checkpoint stays
    s = Session.start(tutorial, seed=9, group="New", log_path=path)
    assert not checkpoint_path(path).exists()
    s.note("a note")
    s.close()
    s, rep = resume(path)
    s.close()
    assert rep.status == VERIFIED and not rep.checkpoint_ignored


# -- resuming reads only the lines it needs (engine.play.log.LazyRecords)

def test_resuming_from_a_checkpoint_decodes_only_the_lines_it_needs(tutorial, tmp_path):
    """The covered lines stay raw: resume reads the last one and the undo stack's lines with
    the line before each; what the first frame asks (this turn, its start, the undone
    actions, the branches) reads this turn's lines at most."""
    from engine.play.log import LazyRecords
    path = tmp_path / "s.jsonl"
    s = Session.start(tutorial, seed=5, group="G", log_path=path)
    play(s, random.Random(5), 200)
    while not s.state.ended and s.state.turn:      # back to the first turn, then a long one
        s.undo()
    for i in range(300):
        s.note(f"note {i}")
    s.next_turn()
    play(s, random.Random(6), 4)
    assert s.save_checkpoint()
    s.writer.close()
    s, rep = resume(path)
    assert rep.checkpoint_lines == len(s.records) > 500
    assert isinstance(s.records, LazyRecords)
    needed = 2 * len(s.snapshot().undo) + 3
    assert len(s.records) - s.records.undecoded <= needed
    assert rep.log.actions.undecoded >= len(rep.log.actions) - needed   # no pass over them
    s.this_turn()
    s.turn_started()
    s.branch_views()
    this_turn = len(s.records) - s.turn_start_line
    assert len(s.records) - s.records.undecoded <= needed + this_turn + 2 < 100
    undone = {n for n in range(len(s.records)) if s.undone(n)}
    s.writer.close()
    full, _ = full_resume(path)           # and they say what the decoded records say
    assert undone == {r["undoes"] for r in full.records if r.get("action") == "undo"}
    assert s.records == full.records and s.records.undecoded == 0


@pytest.mark.parametrize("seed", range(4))
def test_lazy_records_read_as_the_decoded_ones(tutorial, tmp_path, seed):
    """`standing_actions` and `last_with_action` on raw lines against the same on dicts, with
    some lines decoded in between; slices and reversal alike."""
    from engine.play.log import (
        LazyRecords,
        RawLines,
        last_with_action,
        standing_actions,
    )
    path = make_log(tutorial, tmp_path / "s.jsonl", seed, 60, 0)
    data = path.read_bytes()
    if seed % 2:               # an undo in another field order than the engine's
        data = data.replace(b'"action":"undo","undoes":', b'"undoes":-1,"action":"undo",'
                            b'"undoes":', 1)
    lines = data.split(b"\n")[:-1]
    plain = [json.loads(line) for line in lines]
    lazy = LazyRecords(RawLines(data, lines[:-5]), tail=plain[-5:])
    rng = random.Random(seed)
    for _ in range(4):
        start = rng.randrange(len(lines))
        stop = rng.randrange(start, len(lines) + 1)
        for action in ("undo", "choose", "next_turn", "note", "end", "roll"):
            assert last_with_action(lazy[start:stop], action) == \
                last_with_action(plain[start:stop], action)
        lazy[rng.randrange(len(lines))]          # decode one more
    # the undo stack read off the raw lines is the one the decoded records give, and the
    # one the session held (or None: a line not in the engine's form)
    from engine.play.session import UNDOABLE
    stack = standing_actions(plain, UNDOABLE)
    assert standing_actions(lazy, UNDOABLE) == (None if seed % 2 else stack)
    if not seed % 2:
        held = json.loads(checkpoint_path(path).read_text(encoding="utf-8"))["undo"]
        assert stack == held != []
    assert list(reversed(lazy)) == plain[::-1] and lazy[3:9] == plain[3:9] and lazy == plain
    assert lazy[::2] == plain[::2] and lazy[-3] == plain[-3]
    lazy.append({"n": "new"})
    lazy[2] = {"n": "changed"}
    del lazy[0]
    assert lazy == plain[1:2] + [{"n": "changed"}] + plain[3:] + [{"n": "new"}]


def test_a_checkpoint_whose_undo_stack_the_log_contradicts_is_not_trusted(tutorial, tmp_path):
    path = checkpointed(tutorial, tmp_path)
    full, _ = full_resume(path)
    cp = checkpoint_path(path)
    raw = json.loads(cp.read_text(encoding="utf-8"))
    notes = [i for i, line in enumerate(path.read_bytes().split(b"\n"))
             if b'"action":"note"' in line]
    undone = sorted(undos(full.records[:raw["lines"]]))
    assert raw["undo"] and undone
    for undo in (raw["undo"][::-1] if len(raw["undo"]) > 1 else [2, 1],   # out of order
                 sorted(raw["undo"] + notes[:1]),                         # a note on it
                 sorted(raw["undo"] + undone[:1]),                        # an undone action
                 raw["undo"][:-1], raw["undo"][1:], []):                  # standing ones left out
        cp.write_text(json.dumps(dict(raw, undo=undo)), encoding="utf-8")
        s, rep = resume(path)
        s.close()
        assert rep.checkpoint_lines == 0 and "undo stack" in rep.checkpoint_ignored
        assert rep.status == VERIFIED and fingerprint(s) == fingerprint(full)


def test_a_checkpoint_of_the_earlier_format_is_ignored(tutorial, tmp_path):
    path = checkpointed(tutorial, tmp_path)
    cp = checkpoint_path(path)
    raw = json.loads(cp.read_text(encoding="utf-8"))
    del raw["undo"]
    cp.write_text(json.dumps(dict(raw, checkpoint=1)), encoding="utf-8")
    s, rep = resume(path)
    s.close()
    assert rep.checkpoint_lines == 0 and "format" in rep.checkpoint_ignored


def test_a_damaged_line_a_forged_checkpoint_vouches_for_is_a_clear_error(tutorial, tmp_path):
    """Lines under a checkpoint are decoded when read: one that is not a record (here with a
    checkpoint forged to match) is an error that names the line and the way out."""
    import hashlib

    from engine.play.log import LogDamaged
    path = checkpointed(tutorial, tmp_path)
    lines = path.read_bytes().split(b"\n")
    lines[5] = lines[5][:-12] + b"#" * 12      # its start intact: resume's byte scan passes
    path.write_bytes(b"\n".join(lines))
    cp = checkpoint_path(path)
    raw = json.loads(cp.read_text(encoding="utf-8"))
    raw["digest"] = hashlib.sha256(path.read_bytes()[:raw["size"]]).hexdigest()
    cp.write_text(json.dumps(raw), encoding="utf-8")
    s, rep = resume(path)
    assert rep.checkpoint_lines > 6
    with pytest.raises(LogDamaged, match="line 6 of the log is not a valid record.*checkpoint"):
        list(s.records)
    assert isinstance(LogDamaged("x"), SessionError)
    s.close()
    assert replay(path).status != VERIFIED           # replay reads every line


@pytest.mark.parametrize("seed", range(6))
def test_undone_reads_the_undo_stack_as_the_undo_records_say(tutorial, tmp_path, seed):
    """`Session.undone` (an undoable action no longer on the undo stack), asked of a live
    session and of the same one resumed from a checkpoint, against the undo records."""
    path = make_log(tutorial, tmp_path / "s.jsonl", seed, 40 + seed * 7, seed * 4)
    live = Session.start(tutorial, seed=seed, group="G")
    play(live, random.Random(seed), 60)
    resumed, rep = resume(path)
    assert rep.checkpoint_lines > 1
    for s in (live, resumed):
        expected = undos(s.records)
        assert expected                                   # the sessions undo something
        assert {n for n in range(len(s.records) + 2) if s.undone(n)} == expected
    assert not resumed.undone("3") and not resumed.undone(True) and not resumed.undone(0)
    last = len(resumed.records)
    decoded = last - resumed.records.undecoded
    for n in range(last - 30, last):                      # what the log pane asks
        resumed.undone(n)
    assert last - resumed.records.undecoded <= decoded + 30
    resumed.close()


@pytest.mark.parametrize("which", ["last", "undo"])
def test_a_damaged_line_resume_reads_under_a_forged_checkpoint_replays_every_line(tutorial,
                                                                                  tmp_path,
                                                                                  which):
    """The checkpoint's last line, and its undo stack's, are lines resume reads: one that is
    not a record makes it ignore the checkpoint and read every line, which finds the bad line
    where a full replay does."""
    import hashlib
    path = checkpointed(tutorial, tmp_path)
    cp = checkpoint_path(path)
    raw = json.loads(cp.read_text(encoding="utf-8"))
    data = path.read_bytes()
    starts = [0] + [i + 1 for i, b in enumerate(data) if b == 10]
    line = raw["lines"] if which == "last" else raw["undo"][0] + 1     # 1-based
    at = starts[line - 1]
    path.write_bytes(data[:at] + b"#" + data[at + 1:])
    raw["digest"] = hashlib.sha256(path.read_bytes()[:raw["size"]]).hexdigest()
    cp.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(SessionError, match=f"cannot resume: Log edited.* line {line}"):
        resume(path)
    assert replay(path).status == LOG_EDITED
    assert replay(path).log.diagnostics[0].message.startswith(
        f"line {line} is not a valid log record")
