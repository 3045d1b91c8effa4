"""The log pane is a virtual list: it wraps only the entries on screen, however long the log."""

from __future__ import annotations

from tui_helpers import make_app, screen_text

from engine.play.session import Session
from tui import logview
from tui.logview import LogView


def long_log(scenario, path, notes: int):
    """An engine-made session: a turn, `notes` notes, a choice and its undo."""
    s = Session.start(scenario, seed=7, group="Blue", log_path=path)
    s.next_turn()
    for i in range(notes):
        s.note(f"note number {i}")
    s.close()
    return path


def counting(monkeypatch) -> list[int]:
    """Count the entries the pane builds (each one it wraps)."""
    built: list[int] = []
    real = logview.record_entry

    def spy(rec, undone, scenario=None):
        built.append(rec.get("n"))
        return real(rec, undone, scenario)

    monkeypatch.setattr(logview, "record_entry", spy)
    return built


async def test_a_long_log_is_shown_from_its_end_wrapping_only_what_is_on_screen(
        tutorial, tmp_path, monkeypatch):
    log = long_log(tutorial, tmp_path / "long.jsonl", 3000)
    built = counting(monkeypatch)
    app = make_app(resume_log=log)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        pane = app.screen.query_one("#log-pane", LogView)
        assert pane.count == 3001
        text = screen_text(app)
        assert "3001 T1 note: note number 2999" in text
        assert "note number 2000" not in text
        assert 0 < len(set(built)) < 60               # the entries on screen, not 3,001
        built.clear()
        await pilot.press("n")                        # add a note through the dialog
        await pilot.pause()
        for ch in "fresh":
            await pilot.press(ch)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert pane.count == 3002 and "3002 T1 note: fresh" in screen_text(app)
        assert len(set(built)) < 60                   # a new action: one entry more
        pane.focus()
        await pilot.press("home")
        await pilot.pause()
        assert pane.plain.startswith("1 T1 turn 1")    # the first entry, at the top
        await pilot.press("end")
        await pilot.pause()
        assert "3002 T1 note: fresh" in pane.plain


async def test_undone_actions_are_struck_through_in_the_pane(tutorial, tmp_path):
    s = Session.start(tutorial, seed=7, group="Blue", log_path=tmp_path / "u.jsonl")
    s.next_turn()
    s.note("kept")
    s.undo()
    s.close()
    app = make_app(resume_log=tmp_path / "u.jsonl")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        pane = app.screen.query_one("#log-pane", LogView)
        lines = pane.visible_lines()
        assert [line.plain for line in lines] == ["1 T1 turn 1: Summer 2023",
                                                 "2 T1 note: kept", "3 T0 undo of action 1"]
        assert any("strike" in str(span.style) for span in lines[0].spans)
        assert not any("strike" in str(span.style) for span in lines[1].spans)


async def test_a_damaged_line_a_forged_checkpoint_vouched_for_is_shown_not_a_crash(
        tutorial, tmp_path):
    """A line under a checkpoint is decoded when the pane shows it. One that is no record
    (its start intact, so resume's byte scan passes; the checkpoint forged to match) is
    shown in the pane as the error that names it, and the app keeps running."""
    import hashlib
    import json

    from engine.play.checkpoint import checkpoint_path
    log = tmp_path / "dmg.jsonl"
    s = Session.start(tutorial, seed=1, group="G", log_path=log)
    s.next_turn()
    for i in range(30):
        s.note(f"note {i}")
    assert s.save_checkpoint()
    s.writer.close()
    lines = log.read_bytes().split(b"\n")
    k = len(lines) - 4                      # a note near the end, not the last covered line
    lines[k] = lines[k][:-12] + b"#" * 12
    log.write_bytes(b"\n".join(lines))
    cp = checkpoint_path(log)
    raw = json.loads(cp.read_text(encoding="utf-8"))
    raw["digest"] = hashlib.sha256(log.read_bytes()[:raw["size"]]).hexdigest()
    cp.write_text(json.dumps(raw), encoding="utf-8")
    app = make_app(resume_log=log)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        pane = app.screen.query_one("#log-pane", LogView)
        shown = " ".join(pane.plain.split())
        assert f"line {k + 1} of the log is not a valid record" in shown
        assert "31 T1 note: note 29" in shown
    assert app.return_code in (None, 0)
