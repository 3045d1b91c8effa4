"""A hypothesis state machine: random facilitator actions against a logged session.

Invariants: the log on disk always parses and its hash chain holds, and replaying it gives
exactly the live state. A rule simulates a crash (with a torn write) and a resume.
"""

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from engine.bundled import tutorial_scenario
from engine.format.loader import load_scenario
from engine.play.log import read_log
from engine.play.replay import VERIFIED, replay, resume
from engine.play.rules import state_hash
from engine.play.session import Session, SessionError

SCENARIO = load_scenario(tutorial_scenario())
VARIABLE_TEXTS = {"office": ["negotiating", "agreed", "open", "closed"],
                  "china_pressure": ["0", "2", "3", "7", "x"],
                  "allies_agree": ["true", "false", "maybe"],
                  "partners_briefed": ["{}", "{australia}", "{south_korea, new_zealand}", "{mars}"]}


class FacilitatorMachine(RuleBasedStateMachine):
    @initialize(seed=st.integers(0, 2**31), off=st.sampled_from([[], ["china_warns_on_office"]]))
    def start(self, seed, off):
        self.dir = Path(tempfile.mkdtemp())
        self.path = self.dir / "session.jsonl"
        self.session = Session.start(SCENARIO, seed=seed, group="machine", switched_off=off,
                                     log_path=self.path)

    def attempt(self, fn, *args):
        """Refusals are fine (and must change nothing); anything else is a bug."""
        before = (self.session.state, len(self.session.records))
        try:
            fn(*args)
        except SessionError:
            assert (self.session.state, len(self.session.records)) == before

    @rule(data=st.data())
    def choose(self, data):
        views = [v for v in self.session.branch_views() if v.open]
        if views:
            v = data.draw(st.sampled_from(views))
            o = data.draw(st.sampled_from(v.branch.options))
            self.attempt(self.session.choose, v.id, o.id, data.draw(st.text(max_size=20)))
        else:
            self.attempt(self.session.choose, "open_office", "open", "")

    @rule()
    def roll(self):
        self.attempt(self.session.roll)

    @rule(success=st.booleans())
    def decide(self, success):
        self.attempt(self.session.decide, success, "ruled")

    @rule(text=st.text(min_size=0, max_size=30))
    def note(self, text):
        self.attempt(self.session.note, text)

    @rule(inject=st.sampled_from(sorted(SCENARIO.injects)))
    def release(self, inject):
        self.attempt(self.session.release, inject, "")

    @rule(data=st.data())
    def override(self, data):
        var = data.draw(st.sampled_from(sorted(VARIABLE_TEXTS)))
        self.attempt(self.session.override, var, data.draw(st.sampled_from(VARIABLE_TEXTS[var])), "why")

    @rule()
    def undo(self):
        self.attempt(self.session.undo)

    @rule()
    def next_turn(self):
        self.attempt(self.session.next_turn)

    @rule()
    def end(self):
        self.attempt(self.session.end, "hotwash")

    @rule(objective=st.sampled_from(["", "consensus", "nope"]),
          kind=st.sampled_from(["strength", "improve", "bad"]),
          text=st.text(max_size=20), supports=st.one_of(st.none(), st.integers(-1, 40)))
    def observe(self, objective, kind, text, supports):
        self.attempt(self.session.observe, objective, kind, text, supports)

    @rule(objective=st.sampled_from(["", "consensus", "managing_beijing"]),
          rating=st.sampled_from(["", "P", "s", "X"]), text=st.text(max_size=20))
    def hotwash(self, objective, rating, text):
        self.attempt(lambda: self.session.hotwash_entry(
            objective, rating=rating, sustain=text,
            plan=[{"recommendation": text, "owner": "o", "due": "2025-01"}]))

    @rule(action=st.integers(-1, 40),
          field=st.sampled_from(["rationale", "text", "sustain", "rating", "plan", "hotwash"]),
          value=st.one_of(st.text(max_size=20), st.sampled_from(["P", "M"]),
                          st.just([{"recommendation": "r"}])))
    def amend(self, action, field, value):
        self.attempt(self.session.amend, action, field, value, "")

    @rule(torn=st.binary(max_size=12))
    def crash_and_resume(self, torn):
        live = (self.session.state, self.session.turn_start)
        self.session.close()
        if torn:
            with open(self.path, "ab") as f:
                f.write(torn.replace(b"\n", b" "))
        self.session, report = resume(self.path)
        assert (self.session.state, self.session.turn_start) == live

    @rule()
    def checkpoint_and_resume(self):
        """Resume from a checkpoint (and, once more actions follow, from it plus the lines
        after it): the very session a full replay gives, undo stack included."""
        def held(s):
            return (s.state, s.turn_start, s.turn_start_line, s.records,
                    [(e.n, e.before, e.before_hash, e.turn_start, e.turn_start_line)
                     for e in s.snapshot().undo])
        live = held(self.session)
        assert self.session.save_checkpoint()
        self.session.close()
        self.session, report = resume(self.path)
        assert report.checkpoint_lines == len(live[3]) and not report.checkpoint_ignored
        assert held(self.session) == live

    @invariant()
    def log_always_parses(self):
        read = read_log(self.path)
        assert read.ok and read.chain_broken_at is None and not read.torn
        assert len(read.actions) == len(self.session.records) - 1

    @invariant()
    def replay_gives_the_live_state(self):
        report = replay(self.path, SCENARIO)
        assert report.status == VERIFIED, report.problems
        assert report.steps[-1].state == self.session.state
        # The session reuses hashes it already knows (a note, an undo); each must still be
        # the hash of the state it stands for, computed afresh.
        env = self.session.env
        for step in report.steps:
            assert step.record["state"] == state_hash(step.state, env), step.line
        assert self.session.state_hash == state_hash(self.session.state, env)

    def teardown(self):
        if hasattr(self, "session"):
            self.session.close()


TestFacilitator = FacilitatorMachine.TestCase
TestFacilitator.settings = settings(max_examples=40, stateful_step_count=30, deadline=None,
                                    suppress_health_check=[HealthCheck.too_slow])
