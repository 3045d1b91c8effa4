"""The branch list (a list of its own on the Line API): it behaves as the OptionList it
replaced, and draws an entry again only when the entry changed."""

from __future__ import annotations

from collections import Counter

from tui_helpers import make_app

from engine.bundled import main_scenario
from tui.screens.exercise import BranchList, ExerciseScreen


async def started(pilot) -> tuple[ExerciseScreen, BranchList]:
    await pilot.press("ctrl+s", "t")            # start, and on to turn 1: branches are open
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ExerciseScreen)
    return screen, screen.branch_list


def counting_draws(monkeypatch) -> Counter:
    drawn: Counter = Counter()
    draw = BranchList.draw_entry

    def counted(self, index, style, width):
        drawn[index] += 1
        return draw(self, index, style, width)

    monkeypatch.setattr(BranchList, "draw_entry", counted)
    return drawn


async def test_keys_move_the_highlight_and_the_detail_follows(log_path):
    app = make_app(scenario_path=main_scenario(), log_path=log_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, ol = await started(pilot)
        detail = screen.query_one("#detail")
        last = ol.option_count - 1
        assert ol.highlighted == 0 and ol.has_focus
        for keys, expected in [(("down", "down"), 2), (("up",), 1), (("end",), last),
                               (("down",), last), (("home",), 0), (("up",), 0)]:
            await pilot.press(*keys)
            await pilot.pause()
            assert ol.highlighted == expected, keys
            title = screen.session.scenario.branches[ol.highlighted_option.id].title
            assert detail.plain.startswith(title)
        await pilot.press("pagedown")
        await pilot.pause()
        paged = ol.highlighted
        assert 4 < paged < last                 # a page (35 lines, 2–3 a branch here)
        await pilot.press("pageup")
        await pilot.pause()
        assert ol.highlighted == 0


async def test_each_entry_has_one_status_line(log_path, tutorial_path, tmp_path):
    """Under each title one status line: open, the turns of a branch of other turns, or why
    it is blocked, said short where it can be and otherwise cut to the width (the detail
    says it whole)."""
    app = make_app(scenario_path=main_scenario(), log_path=log_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, ol = await started(pilot)
        status = {e.id: e.status.plain.strip() for e in ol.entries}
        assert status["annualex"] == "can be played now"
        assert status["philippine_sea_group"] == "turns 5, 6"
        assert status["northern_seas_group"] == "turn 9"
        app.clear_notifications()
        await pilot.press("1", "enter")          # contested: the others wait for the roll
        await pilot.pause()
        status = {e.id: e.status.plain.strip() for e in ol.entries}
        assert status["annualex"] == "✓ played this turn"
        assert status["us_formats"] == "waiting for a roll"
    app = make_app(scenario_path=tutorial_path, log_path=tmp_path / "t.jsonl")
    async with app.run_test(size=(120, 40)) as pilot:
        screen, ol = await started(pilot)
        index = ol.get_option_index("open_office")         # its precondition fails
        entry = ol.entries[index]
        assert entry.status.plain.strip().startswith("needs ")
        width = ol.scrollable_content_region.width
        last = "".join(seg.text for seg in ol.draw_entry(index, ol.entry_style(), width)[-1])
        assert last.rstrip().endswith("…") and len(last) == width    # cut to one line
        assert entry.status.plain.strip()[:-3] not in last


async def test_a_click_highlights_and_selects_and_the_mouse_hovers(log_path):
    app = make_app(scenario_path=main_scenario(), log_path=log_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, ol = await started(pilot)
        await pilot.press("down", "down")
        assert ol.highlighted == 2
        await pilot.hover(BranchList, offset=(4, 1))      # the first entry's line
        await pilot.pause()
        assert ol.hovered == 0
        assert not screen.busy()
        await pilot.click(BranchList, offset=(4, 1))
        await pilot.pause()
        assert ol.highlighted == 0
        assert screen.busy()                    # the first branch is open: the panel opened
        assert screen.choose_panel.view.id == ol.get_option_at_index(0).id


async def test_a_choice_draws_again_only_the_entries_that_changed(log_path, monkeypatch):
    drawn = counting_draws(monkeypatch)
    app = make_app(scenario_path=main_scenario(), log_path=log_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, ol = await started(pilot)
        before = [(e.prompt.plain, e.status.plain) for e in ol.entries]
        height = ol.virtual_size.height
        drawn.clear()
        await pilot.press("1", "enter")          # the first branch's first option
        await pilot.pause()
        assert screen.session.records[-1]["action"] == "choose"
        after = [(e.prompt.plain, e.status.plain) for e in ol.entries]
        changed = {i for i, (b, a) in enumerate(zip(before, after)) if b != a}
        assert 0 in changed and "✓" in after[0][1]         # the branch played is marked
        # the contested choice blocked the other open branches: their statuses say why,
        # and no entry changed its height (nothing below it moves)
        assert {1, 2} <= changed and "roll" in after[1][1]
        assert ol.virtual_size.height == height
        # only the entries whose texts changed
        assert set(drawn) <= changed
        assert len(drawn) < ol.option_count // 2
        # moving the highlight draws at most the entries it leaves and reaches
        drawn.clear()
        await pilot.press("down")
        await pilot.pause()
        assert set(drawn) <= {0, 1}
        drawn.clear()
        await pilot.press("up", "down")
        await pilot.pause()
        assert not drawn                         # both seen in both styles: kept


def counting_layouts(screen) -> list[int]:
    layouts = [0]

    def laid_out(_screen) -> None:
        layouts[0] += 1

    screen.screen_layout_refresh_signal.subscribe(screen, laid_out)
    return layouts


async def test_a_new_virtual_size_lays_nothing_out_and_the_scrollbar_follows(log_path):
    """A pane's new virtual size lays the screen out only when its scrollbar comes or goes
    (a layout redraws every pane's scrollbar): moving through the branches changes the
    detail's length and lays nothing out; an action adds an entry to the log, whose
    scrollbar is told its new size."""
    app = make_app(scenario_path=main_scenario(), log_path=log_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, ol = await started(pilot)
        detail, log = screen.query_one("#detail"), screen.query_one("#log-pane")
        layouts = counting_layouts(screen)
        sizes = set()
        for _ in range(6):
            await pilot.press("down")
            await pilot.pause()
            sizes.add(detail.virtual_size.height)
            assert detail.show_vertical_scrollbar            # these details overflow the pane
            assert detail.vertical_scrollbar.window_virtual_size == detail.virtual_size.height
        assert len(sizes) > 1 and layouts[0] == 0
        while not log.show_vertical_scrollbar:               # notes until the log scrolls
            screen.run_engine(screen.session.note, "a note")
            await pilot.pause()
        height = log.virtual_size.height
        screen.run_engine(screen.session.note, "one more log entry")
        await pilot.pause()
        assert log.virtual_size.height > height
        assert log.vertical_scrollbar.window_virtual_size == log.virtual_size.height
        assert log.plain.endswith("one more log entry")
        assert log.scroll_y == log.max_scroll_y                # it shows the end


async def test_recording_a_choice_lays_nothing_out_and_keeps_the_lists_focus(log_path):
    """The choose panel is on a screen of its own: closing it brings the exercise screen back
    as it was (no layout, no restyle), so the frame redraws only what the choice changed."""
    app = make_app(scenario_path=main_scenario(), log_path=log_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, ol = await started(pilot)
        app.clear_notifications()                    # the turn's toast (it is cleared on open)
        await pilot.press("1", "escape")             # the first time mounts the panel
        await pilot.pause()
        assert not screen.busy() and screen.session.records[-1]["action"] == "next_turn"
        await pilot.press("1")
        await pilot.pause()
        assert screen.busy() and app.screen is not screen
        assert ol.has_focus                          # kept under the panel: no restyle
        layouts = counting_layouts(screen)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen and not screen.busy() and ol.has_focus
        assert screen.session.records[-1]["action"] == "choose"
        await pilot.pause()
        assert not screen.query("Toast")             # the log says it: no toast to lay out
        assert layouts[0] == 0


async def test_a_choice_redraws_only_the_lines_it_changed(log_path, monkeypatch):
    """Recording a choice redraws a few dozen lines, not the screen: no pane's scrollbar (no
    entry changes height, the state pane keeps its length), not the screen's background (it
    is blank), not the whole branch list (the panel leaves its focus alone). Before issue 11's
    last changes a contested choice redrew about 175 lines; each costs 0.1–0.3 ms."""
    from textual._styles_cache import StylesCache
    app = make_app(scenario_path=main_scenario(), log_path=log_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, ol = await started(pilot)
        app.clear_notifications()
        await pilot.press("1", "escape")             # the first time mounts the panel
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause()
        drawn = [0]
        render_line = StylesCache.render_line

        def counted(self, *args, **kwargs):
            drawn[0] += 1
            return render_line(self, *args, **kwargs)

        monkeypatch.setattr(StylesCache, "render_line", counted)
        await pilot.press("enter")                   # NATO joins ANNUALEX, contested
        await pilot.pause()
        assert screen.session.records[-1]["action"] == "choose"
        assert 0 < drawn[0] < 45, drawn[0]


async def test_keys_typed_at_once_reach_the_first_choose_panel(log_path):
    """The first choice after a start or resume mounts the panel's screen: keys typed in the
    same instant as the one that opens it (1, then enter) reach it as they would any later
    time (enter records the choice; it used to land on the option list, which only moved on
    to the rationale, and the next keys were typed into it)."""
    from textual import events
    app = make_app(scenario_path=main_scenario(), log_path=log_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, ol = await started(pilot)
        for key, character in (("1", "1"), ("enter", None)):
            app.post_message(events.Key(key, character))
        for _ in range(3):
            await pilot.pause()
        assert screen.session.records[-1]["action"] == "choose"
        assert app.screen is screen and not screen.busy()
