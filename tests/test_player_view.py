"""The player view: what the room sees, computed from a session's log alone."""

from engine.play.player_view import player_view
from engine.play.replay import resume
from engine.play.session import Session, describe_action

TIMES = iter(f"2026-01-01T09:{m:02d}:00+00:00" for m in range(60))


def clock():
    return next(TIMES)


def start(tutorial, tmp_path):
    return Session.start(tutorial, seed=7, group="Blue", log_path=tmp_path / "s.jsonl",
                         clock=lambda: "2026-01-01T09:00:00+00:00")


def test_view_follows_the_session_with_titles_not_ids(tutorial, tmp_path):
    s = start(tutorial, tmp_path)
    log = s.log_path
    v = player_view(log, tutorial)
    assert (v.title, v.turn, v.turn_label, v.group) == (tutorial.title, 0, "Baseline: June 2023",
                                                        "Blue")
    assert v.moves == () and v.inject is None
    s.clock = lambda: "2026-01-01T09:10:00+00:00"
    s.next_turn()
    s.choose("press_negotiations", "push", "settle it before the summit")
    s.roll()
    s.release("ally_objects", "")
    v = player_view(log, tutorial)
    assert v.turn == 1 and v.turn_started == "2026-01-01T09:10:00+00:00"
    assert v.started == "2026-01-01T09:00:00+00:00"
    (cell, lines), = v.moves
    assert cell == "Blue"
    texts = [m.text for m in lines]
    assert texts[0] == ("choice 'Japan presses for an agreement' → 'Push for agreement now'")
    assert lines[0].rationale == "settle it before the summit"
    # the roll's outcome, without dice, modifiers or target
    assert "success" in texts[1] or "failure" in texts[1]
    assert "2d6" not in texts[1] and "vs" not in texts[1]
    assert texts[2] == "inject 'An ally objects to an office in Asia'"
    assert v.inject.title == "An ally objects to an office in Asia"
    assert v.inject.narrative == tutorial.injects["ally_objects"].narrative
    labels = {x.label for x in v.situation}
    assert "Pressure from Beijing (0–3)" in labels and "china_pressure" not in labels
    assert not any("press_negotiations" in t or "ally_objects" in t for t in texts)


def test_odds_only_when_the_facilitator_turns_them_on(tutorial, tmp_path):
    s = start(tutorial, tmp_path)
    s.next_turn()
    s.choose("press_negotiations", "push", "")
    hidden = player_view(s.log_path, tutorial)
    shown = player_view(s.log_path, tutorial, show_odds=True)
    assert hidden.waiting == "A roll decides 'Japan presses for an agreement'"
    assert "2d6" in shown.waiting and "%" in shown.waiting
    s.roll()
    assert "2d6" not in player_view(s.log_path, tutorial).moves[0][1][1].text
    assert "2d6" in player_view(s.log_path, tutorial, show_odds=True).moves[0][1][1].text


def test_undone_moves_leave_the_view_and_a_new_turn_clears_the_moves(tutorial, tmp_path):
    s = start(tutorial, tmp_path)
    s.next_turn()
    s.choose("answer_beijing", "reassure", "")
    s.undo()
    assert player_view(s.log_path, tutorial).moves == ()
    s.choose("answer_beijing", "reassure", "")
    s.next_turn()
    v = player_view(s.log_path, tutorial)
    assert v.turn == 2 and v.moves == ()
    assert v.inject.title == tutorial.injects["beijing_again"].title   # scheduled for turn 2
    s.undo()                           # back to turn 1: its move shows again
    v = player_view(s.log_path, tutorial)
    assert v.turn == 1 and len(v.moves[0][1]) == 1


def test_torn_empty_and_resumed_logs_still_give_a_view(tutorial, tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    v = player_view(empty)
    assert v.notice and v.moves == ()
    assert player_view(tmp_path / "missing.jsonl").notice
    s = start(tutorial, tmp_path)
    s.next_turn()
    s.close()
    log = s.log_path
    before = log.read_bytes()
    with open(log, "ab") as f:
        f.write(b'{"type":"action","n":2,"act')       # a write cut short
    v = player_view(log, tutorial)
    assert v.turn == 1 and "torn" in v.notice.lower()
    assert log.read_bytes().startswith(before)     # the view never writes
    resumed, _ = resume(log, tutorial)             # the facilitator resumes: tail set aside
    resumed.choose("answer_beijing", "reassure", "")
    v = player_view(log, tutorial)
    assert v.notice == "" and len(v.moves[0][1]) == 1
    assert player_view(log).turn == 1              # the scenario found from the header


def test_describe_action_names_titles_with_the_scenario(tutorial, tmp_path):
    s = start(tutorial, tmp_path)
    s.next_turn()
    rec = s.override("china_pressure", "2", "").record
    assert describe_action(rec, tutorial) == "override Pressure from Beijing (0–3) = 2"
    assert describe_action(rec) == "override china_pressure = 2"
    assert describe_action(s.records[1], tutorial) == "turn 1: Summer 2023"


def test_time_box_set_at_setup_and_turn_times_in_the_report(tutorial, tmp_path):
    import datetime as dt

    from engine.debrief.report import after_action_report
    from engine.debrief.report_render import to_markdown
    from engine.play.clock import elapsed, time_box_left

    s = start(tutorial, tmp_path)
    assert s.time_box is None and player_view(s.log_path, tutorial).time_box is None
    s = Session.start(tutorial, seed=7, group="Blue", log_path=tmp_path / "b.jsonl",
                      clock=lambda: "2026-01-01T09:00:00+00:00", time_box=20,
                      zone={"name": "UTC", "offset": "+00:00"})
    assert s.time_box == 20 and player_view(s.log_path, tutorial).time_box == 20
    s.clock = lambda: "2026-01-01T09:12:30+00:00"
    s.next_turn()
    assert s.turn_started() == "2026-01-01T09:12:30+00:00"
    now = dt.datetime(2026, 1, 1, 9, 30, tzinfo=dt.UTC)
    assert elapsed(s.header["started"], now) == "30:00"
    assert time_box_left(s.turn_started(), 20, now) == 20 * 60 - (17 * 60 + 30)
    s.clock = lambda: "2026-01-01T09:40:00+00:00"
    s.next_turn()
    s.undo()                          # the undone turn change does not count
    s.end("")
    s.close()
    md = to_markdown(after_action_report(s.log_path, tutorial))
    assert "T0 09:00–09:12 (12:30); T1 09:12–09:40 (27:30) (UTC)" in md


def test_reasons_for_the_room_use_labels_and_titles(tutorial):
    s = Session.start(tutorial, seed=1, group="g", switched_off=["hayashi_cnn_interview"])
    s.next_turn()
    office = s.branch_view("open_office")
    assert office.reason == "precondition fails: office == agreed"          # for the author
    assert office.said == "needs Liaison office == agreed (now negotiating)"  # for the room
    press = s.branch_view("press_negotiations")
    assert press.said == ("needs “Hayashi confirms talks on a NATO liaison office” to have "
                          "occurred")
    s.choose("answer_beijing", "reassure", "")
    assert "answer_beijing" not in (s.branch_view("china_protests").said or "")


def test_the_follower_replays_only_what_was_appended(tutorial, tmp_path):
    from engine.play.player_view import Follower
    s = start(tutorial, tmp_path)
    f = Follower(s.log_path, tutorial)
    assert f.view().turn == 0 and f.full_replays == 1
    s.next_turn()
    s.choose("press_negotiations", "push", "now")
    s.roll()
    s.undo()
    s.roll()
    v = f.view()
    assert f.full_replays == 1                       # appended lines only
    assert v == player_view(s.log_path, tutorial)    # the same view as a full replay
    assert v.turn == 1 and len(v.moves[0][1]) == 2
    s.close()
    # the log is edited: the earlier lines differ, so it replays in full and says so
    lines = s.log_path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace('"rationale":"now"', '"rationale":"later"')
    s.log_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    v = f.view()
    assert f.full_replays == 2 and "edited" in v.notice


def test_the_followers_appended_steps_hold_the_env_like_a_full_replay(tutorial, tmp_path):
    """The follower once stored the state's plain form where a step's env belongs, so the
    `values` of an appended step failed; found by mypy."""
    from engine.play.player_view import Follower
    from engine.play.replay import replay
    s = start(tutorial, tmp_path)
    f = Follower(s.log_path, tutorial)
    f.view()
    s.next_turn()
    s.choose("press_negotiations", "push", "now")
    f.view()
    assert f.full_replays == 1 and f.report is not None
    full = replay(s.log_path, tutorial)
    assert [st.values for st in f.report.steps] == [st.values for st in full.steps]
    s.close()
