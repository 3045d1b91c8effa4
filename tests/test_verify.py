"""Verification says exactly what it proves: ended or not, torn, edited, signed (issue 10)."""

import json

import pytest

from engine.play.log import encode_line, seal
from engine.play.replay import (
    LOG_EDITED,
    TORN_TAIL,
    VERIFIED_ENDED,
    VERIFIED_SO_FAR,
    replay,
    resume,
)
from engine.play.session import Session, SessionError
from engine.play.signing import (
    AUTHENTIC,
    KEY_MISSING,
    NOT_AUTHENTIC,
    UNSIGNED,
    key_dir,
    signing_key,
)
from tui.cli import main

CLOCK = lambda: "2026-01-01T00:00:00+00:00"  # noqa: E731


@pytest.fixture
def keys(tmp_path, monkeypatch):
    """A config folder of our own, so no test touches the user's keys."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return key_dir()


def played(tutorial, path, *, end=True, signer=None):
    s = Session.start(tutorial, seed=7, group="G", log_path=path, clock=CLOCK, signer=signer)
    s.next_turn()
    s.choose("press_negotiations", "push", "first")
    s.roll()
    s.note("a note")
    if end:
        s.end("hotwash")
    s.close()
    return path


def records(path):
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def rewrite(path, recs, signer=None):
    """Write `recs` back with every hash recomputed, as a forger without the key would
    (keeping the signatures the lines had)."""
    prev, out = None, b""
    for old in recs:
        r = seal({k: v for k, v in old.items() if k not in ("prev", "hash", "mac")}, prev, signer)
        if "mac" in old and signer is None:
            r["mac"] = old["mac"]
        prev = r["hash"]
        out += encode_line(r)
    path.write_bytes(out)


def verify(path, capsys):
    code = main(["replay", str(path), "--verify"])
    return code, capsys.readouterr().out


def test_the_four_verdicts_and_their_exit_codes(tutorial, tmp_path, capsys):
    path = played(tutorial, tmp_path / "s.jsonl")
    rep = replay(path)
    assert rep.verdict == VERIFIED_ENDED and rep.authenticity.status == UNSIGNED
    code, out = verify(path, capsys)
    assert code == 0 and out.startswith("Verified and ended: 5 actions")
    assert "does not prove who wrote the log" in out

    whole = path.read_bytes()
    lines = whole.splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:-2]))                  # trailing lines deleted
    assert replay(path).verdict == VERIFIED_SO_FAR
    code, out = verify(path, capsys)
    assert code == 3 and "lines may be missing at the end" in out

    path.write_bytes(whole[:len(b"".join(lines[:3])) + 40])  # truncated mid-file
    assert replay(path).verdict == TORN_TAIL
    code, out = verify(path, capsys)
    assert code == 3 and out.startswith("Torn tail: 2 complete actions")

    path.write_bytes(whole.replace(b"a note", b"A note"))    # edited, hashes not recomputed
    assert replay(path).verdict == LOG_EDITED
    assert verify(path, capsys)[0] == 1


def test_an_unsigned_chain_cannot_tell_a_recomputed_forgery(tutorial, tmp_path):
    """What the docs say: rewrite a line and recompute every hash, and it verifies."""
    path = played(tutorial, tmp_path / "s.jsonl")
    recs = records(path)
    recs[4]["text"] = "a forged note"
    rewrite(path, recs)
    assert replay(path).verdict == VERIFIED_ENDED


def test_a_signed_session_detects_rewritten_and_appended_lines(tutorial, tmp_path, keys,
                                                               capsys):
    signer = signing_key()
    assert (keys / f"{signer.key_id}.key").exists()
    path = played(tutorial, tmp_path / "s.jsonl", signer=signer)
    recs = records(path)
    assert recs[0]["signing"] == {"alg": "HMAC-SHA256", "key": signer.key_id}
    assert all("mac" in r for r in recs)
    rep = replay(path)
    assert rep.verdict == VERIFIED_ENDED and rep.authenticity.status == AUTHENTIC
    code, out = verify(path, capsys)
    assert code == 0 and f"signed with key {signer.key_id}: authentic" in out

    forged = [dict(r) for r in recs]
    forged[4]["text"] = "a forged note"
    rewrite(path, forged)                                   # hashes recomputed, MACs not
    rep = replay(path)
    assert rep.authenticity.status == NOT_AUTHENTIC and rep.authenticity.bad_line == 5
    assert not rep.verified
    code, out = verify(path, capsys)
    assert code == 1 and out.startswith("Not authentic") and "line 5" in out

    rewrite(path, recs[:-1] + [dict(recs[-2], n=5, text="appended")])
    assert replay(path).authenticity.bad_line == 6

    path.write_bytes(b"".join(encode_line(r) for r in recs[:-1]))   # the end cut off
    rep = replay(path)
    assert rep.verdict == VERIFIED_SO_FAR and rep.authenticity.status == AUTHENTIC


def test_signed_resume_goes_on_signing_and_needs_the_key(tutorial, tmp_path, keys):
    path = played(tutorial, tmp_path / "s.jsonl", end=False, signer=signing_key())
    session, _ = resume(path)
    session.end("done")
    session.close()
    rep = replay(path)
    assert rep.verdict == VERIFIED_ENDED and rep.authenticity.status == AUTHENTIC
    for key in keys.iterdir():
        key.unlink()
    rep = replay(path)
    assert rep.authenticity.status == KEY_MISSING and rep.verdict == VERIFIED_ENDED
    assert "not on this machine" in rep.banner()
    with pytest.raises(SessionError, match="not on this machine"):
        resume(path)


def test_a_key_is_made_once_and_kept(keys):
    a, b = signing_key(), signing_key()
    assert a == b and len(list(keys.glob("*.key"))) == 1


def test_a_report_of_a_signed_log_that_is_not_authentic_is_flagged(tutorial, tmp_path, keys):
    from engine.debrief.report import after_action_report
    path = played(tutorial, tmp_path / "s.jsonl", signer=signing_key())
    recs = records(path)
    recs[2]["rationale"] = "forged"
    rewrite(path, recs)
    report = after_action_report(path)
    assert not report.verified and report.banner.startswith("Not authentic")


def test_the_banner_counts_one_action_in_the_singular(tutorial, tmp_path):
    s = Session.start(tutorial, seed=1, group="G", log_path=tmp_path / "one.jsonl")
    s.next_turn()
    s.close()
    assert "Verified so far: 1 action replays exactly" in replay(tmp_path / "one.jsonl").banner()
    s = Session.start(tutorial, seed=1, group="G", log_path=tmp_path / "two.jsonl")
    s.next_turn()
    s.note("a note")
    s.close()
    assert "Verified so far: 2 actions replay exactly" in replay(tmp_path / "two.jsonl").banner()
