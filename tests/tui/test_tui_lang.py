"""A session run in Russian: the scenario's text on screen, the log's language, resume."""

from __future__ import annotations

from tui_helpers import make_app, read_log, screen_text

from tui.screens.exercise import ExerciseScreen


async def test_a_russian_session_shows_russian_text_and_resumes_in_russian(tutorial_path, log_path):
    app = make_app(scenario_path=tutorial_path, log_path=log_path, lang="ru")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert "Учебный сценарий: офис связи НАТО в Токио" in screen_text(app)
        await pilot.press("ctrl+s", "t")
        await pilot.pause()
        text = screen_text(app)
        assert isinstance(app.screen, ExerciseScreen)
        assert "Япония отвечает на" in text and "Япония добивается" in text   # branch titles
        assert "Лето 2023" in text and "Офис связи" in text              # turn, variable
        assert "Japan answers Beijing" not in text
        await pilot.press("ctrl+q")
        await pilot.pause()
    header = read_log(log_path)[0]["scenario"]
    assert header["lang"] == "ru" and header["title"].startswith("Учебный сценарий")

    again = make_app(resume_log=log_path)             # no --lang: the session's own language
    async with again.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(again.screen, ExerciseScreen)
        assert "Япония отвечает на" in screen_text(again)


async def test_resume_with_a_moved_scenario_keeps_the_sessions_language(tutorial_path, log_path):
    from aar_sessions import play_red
    play_red(tutorial_path, log_path, lang="ru").close()
    app = make_app(resume_log=log_path, scenario_path=tutorial_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ExerciseScreen)
        assert "Учебный сценарий" in screen_text(app)
