"""Typed log records (engine.play.records): one serialiser that gives back, byte for byte, the
lines the engine writes, so logs made before the records were typed still verify."""

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, rule
from records_play import play_every_kind, play_rolls, write_scenarios
from test_stateful import FacilitatorMachine

from engine.bundled import tutorial_scenario
from engine.format.loader import load_scenario
from engine.play import records
from engine.play.log import encode_line, seal
from engine.play.replay import VERIFIED, replay
from engine.play.session import Session, SessionError
from engine.play.signing import Signer


def _sealed_scenario():
    _plain, sealed = write_scenarios(Path(tempfile.mkdtemp()))
    return load_scenario(sealed)


SEALED = _sealed_scenario()


def assert_lines_round_trip(path: Path) -> set[str]:
    """Every line of the log at `path`, parsed, typed, and written back through the one
    serialiser, is the very bytes the log holds (sealed again: the same hash). Returns the
    kinds of record seen."""
    kinds = set()
    for i, line in enumerate(path.read_bytes().splitlines(keepends=True), start=1):
        d = json.loads(line)
        rec = records.from_json(d, i)
        kinds.add(type(rec).__name__)
        again = records.to_json(rec)
        assert encode_line(again) == line, i
        assert encode_line(seal(again, d["prev"])) == line, i
    return kinds


class RoundTripMachine(FacilitatorMachine):
    """The facilitator machine of test_stateful (random actions, crashes, resumes) on the
    tutorial with sealed moves and cells too, checking every line of the log round-trips."""

    @initialize(seed=st.integers(0, 2**31), celled=st.booleans())
    def start(self, seed, celled):
        self.dir = Path(tempfile.mkdtemp())
        self.path = self.dir / "session.jsonl"
        self.scenario = SEALED if celled else SCENARIO_TUTORIAL
        self.session = Session.start(self.scenario, seed=seed, group="machine",
                                     log_path=self.path)

    @rule(data=st.data())
    def seal_move(self, data):
        branch = data.draw(st.sampled_from(sorted(self.scenario.branches)))
        option = data.draw(st.sampled_from(self.scenario.branches[branch].options))
        self.attempt(self.session.seal, branch, option.id, data.draw(st.text(max_size=8)))

    @rule()
    def reveal(self):
        self.attempt(self.session.reveal)

    @rule()
    def apply_revealed(self):
        self.attempt(self.session.apply_revealed)

    @rule(cell=st.sampled_from(["red", "blue", ""]), strength=st.sampled_from(["weak", "strong"]),
          counters=st.lists(st.text(max_size=6), max_size=2))
    def argue(self, cell, strength, counters):
        self.attempt(self.session.argue, cell, "Beijing cuts exports", strength, counters)

    @rule(band=st.sampled_from(["stalled", "modest", "broad"]))
    def decide_band(self, band):
        self.attempt(self.session.decide, band, "graded")

    @rule(people=st.lists(st.text(min_size=1, max_size=6), max_size=2),
          contact=st.text(max_size=6))
    def end_with_people(self, people, contact):
        self.attempt(self.session.end, "notes", people, contact)

    @invariant()
    def replay_gives_the_live_state(self):     # replaying a sealed scenario needs it
        report = replay(self.path, self.scenario)
        assert report.status == VERIFIED, report.problems
        assert report.steps[-1].state == self.session.state

    @invariant()
    def every_line_round_trips(self):
        assert_lines_round_trip(self.path)


SCENARIO_TUTORIAL = load_scenario(tutorial_scenario())

TestRoundTrip = RoundTripMachine.TestCase
TestRoundTrip.settings = settings(max_examples=25, stateful_step_count=25, deadline=None,
                                  suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("signed", [False, True])
def test_every_kind_of_record_round_trips_and_the_copy_verifies(tmp_path, signed):
    """A log written by the engine (signed too: the MAC rides along), every line typed and
    written back by the serialiser into a new file, is the same bytes, and replays verified."""
    path = play_every_kind(tmp_path / "all.jsonl", SEALED,
                           Signer("test-key", b"k" * 32) if signed else None)
    kinds = assert_lines_round_trip(path)
    assert kinds >= {"Header", "Choose", "Decide", "Note", "Release", "Undo", "NextTurn",
                     "Override", "Seal", "Reveal", "Argument", "End", "Observe", "Hotwash",
                     "Amend"}
    copy = tmp_path / "copy.jsonl"
    copy.write_bytes(b"".join(encode_line(records.to_json(records.from_json(json.loads(line))))
                              for line in path.read_bytes().splitlines()))
    assert copy.read_bytes() == path.read_bytes()
    assert replay(copy, SEALED).status == VERIFIED


def test_rolls_of_every_shape_round_trip(tmp_path):
    """A target roll, a graded roll (its band) and an opposed roll (the other pool)."""
    path = tmp_path / "rolls.jsonl"
    assert play_rolls(path, SCENARIO_TUTORIAL) == ["target", "band", "against"]
    assert_lines_round_trip(path)


FIXTURES = Path(__file__).parent / "fixtures" / "records"


@pytest.mark.parametrize("name", ["every_kind.jsonl", "rolls.jsonl"])
def test_logs_written_before_the_records_were_typed_round_trip(name):
    """tests/fixtures/records: logs the engine wrote before this module existed (at
    37a222f, by tests/records_play.py), byte for byte through the serialiser."""
    kinds = assert_lines_round_trip(FIXTURES / name)
    assert len(kinds) >= 5


def _fields(line: bytes) -> list:
    """A line's keys and values in order, less what depends on the header's bytes (the
    chain) and where the scenario file was."""
    d = json.loads(line)
    if d.get("type") == "header":
        d["scenario"].pop("path")
    return [(k, v) for k, v in d.items() if k not in ("prev", "hash")]


@pytest.mark.parametrize(("name", "scenario", "play"), [
    ("every_kind.jsonl", "sealed.yaml", play_every_kind),
    ("rolls.jsonl", "tutorial.yaml", play_rolls)])
def test_the_engine_writes_what_it_wrote_before_the_records_were_typed(tmp_path, name,
                                                                       scenario, play):
    """The same scripted session, played now on the same scenario, writes every record
    with the same keys in the same order and the same values as the fixture."""
    path = tmp_path / name
    play(path, load_scenario(FIXTURES / scenario))
    now, before = path.read_bytes().splitlines(), (FIXTURES / name).read_bytes().splitlines()
    assert len(now) == len(before)
    for i, (a, b) in enumerate(zip(now, before), start=1):
        assert _fields(a) == _fields(b), i


def test_a_record_read_is_typed_and_keeps_what_it_does_not_know():
    rec = records.from_json({"type": "action", "n": 4, "at": "t", "action": "choose",
                             "branch": "b", "option": "o", "rationale": "", "turn": 1,
                             "state": "s", "later": 1, "prev": "p", "hash": "h", "mac": "m"})
    assert isinstance(rec, records.Choose) and (rec.branch, rec.option, rec.n) == ("b", "o", 4)
    assert rec.cell is None and rec.extra == {"later": 1, "mac": "m"}
    assert list(records.to_json(rec))[-4:] == ["prev", "hash", "later", "mac"]


@pytest.mark.parametrize(("line", "problem"), [
    ({"type": "action", "action": "dance"}, "unknown action 'dance'"),
    ({"type": "action", "n": 2, "action": "choose", "option": "o"}, "no 'branch'"),
    ({"type": "action", "action": 7}, "unknown action 7"),
    ({"type": "header"}, "no 'format'"),
])
def test_a_line_that_is_no_record_is_refused_with_its_line_number(line, problem):
    with pytest.raises(SessionError, match=f"line 5 is not a valid log record .*{problem}"):
        records.from_json(line, 5)
    with pytest.raises(records.RecordError, match=problem):
        records.from_json(line)


def test_a_resealed_line_that_calls_itself_a_header_is_a_divergence_not_a_crash(tmp_path,
                                                                                capsys):
    """An action line rewritten as a second header, its chain recomputed: replay, verify and
    the report say which line is wrong; nothing raises."""
    from tui.cli import main
    path = play_every_kind(tmp_path / "all.jsonl", SEALED, None)
    out, prev = [], None
    for i, line in enumerate(path.read_bytes().splitlines()):
        d = json.loads(line)
        d.pop("prev"), d.pop("hash")
        if i == 2:
            d["type"] = "header"
        d = seal(d, prev)
        prev = d["hash"]
        out.append(encode_line(d))
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b"".join(out))
    rep = replay(bad, SEALED)
    assert rep.status != VERIFIED
    assert any("line 3 is not a valid log record (a second header)" in p for p in rep.problems)
    assert main(["replay", "--verify", str(bad)]) == 1
    assert "a second header" in capsys.readouterr().out
    assert main(["report", str(bad)]) == 0
    assert "NOT VERIFIED" in capsys.readouterr().out


def test_a_line_as_read_is_typed_for_the_one_line_descriptions(tmp_path):
    """describe_action and the report's summary take a record or a line as read; a line that
    is no record is shown by the action name it carries, not refused."""
    from engine.debrief.report import summarize
    from engine.play.session import describe_action
    path = play_every_kind(tmp_path / "all.jsonl", SEALED, None)
    line = json.loads(path.read_bytes().splitlines()[2])
    typed = records.from_json(line)
    assert records.as_record(typed) is typed and records.as_record(line) == typed
    assert describe_action(line, SEALED) == describe_action(typed, SEALED) != ""
    assert summarize(line, SEALED) == summarize(typed, SEALED) != ""
    odd = {"type": "action", "action": "teleport", "n": 9}
    assert records.as_record(odd) is None
    assert describe_action(odd) == summarize(odd, SEALED) == "teleport"
