"""The rules' refusals and the session's messages in the interface language, whatever the
language of the scenario's text."""

from __future__ import annotations

import pytest

from engine.bundled import tutorial_scenario
from engine.format.tables import load_scenario_in
from engine.i18n import language
from engine.play.session import Session, SessionError


@pytest.mark.parametrize("text_lang", ["en", "ru"])
def test_refusals_and_messages_in_russian(tmp_path, text_lang):
    with language("ru"):
        sc = load_scenario_in(tutorial_scenario(), text_lang)
        s = Session.start(sc, seed=1, group="g", log_path=tmp_path / "s.jsonl")
        office = sc.branches["open_office"].title
        with pytest.raises(SessionError, match=f"^«{office}» сыграть нельзя: в ходу 0 не "
                                               r"играется \(ходы 1–3\)$"):
            s.choose("open_office", "open")
        with pytest.raises(SessionError, match="^бросок не ожидается: сначала выберите "
                                               "спорный вариант$"):
            s.roll()
        with pytest.raises(SessionError, match="^отменять нечего$"):
            s.undo()
        assert s.next_turn().message.startswith("Ход 1: ")
        with pytest.raises(SessionError, match=f"^«{office}» сыграть нельзя: нужно: "):
            s.choose("open_office", "open")
        out = s.choose("press_negotiations", "push")
        assert out.message.endswith("— исход решит бросок")
        with pytest.raises(SessionError, match="^перед завершением бросьте кости для «"):
            s.end()
        s.close()


def test_the_same_refusal_in_english(tmp_path):
    sc = load_scenario_in(tutorial_scenario(), "ru")
    s = Session.start(sc, seed=1, group="g", log_path=tmp_path / "s.jsonl")
    with pytest.raises(SessionError, match="cannot be played: not playable in turn 0"):
        s.choose("open_office", "open")
    s.close()


def test_log_and_debrief_problems_in_russian(tmp_path):
    from engine.play.log import read_log
    log = tmp_path / "s.jsonl"
    sc = load_scenario_in(tutorial_scenario(), "en")
    s = Session.start(sc, seed=1, group="g", log_path=log)
    s.note("first")
    s.note("second")
    with language("ru"), pytest.raises(SessionError, match="^наблюдение: пусто$"):
        s.observe("", "strength", " ")
    with language("ru"), pytest.raises(SessionError, match="^оценка 'X' не из числа P "
                                                           r"\(выполнено без затруднений\), S"):
        s.end()
        s.hotwash_entry("", rating="X")
    s.close()
    lines = log.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("second", "edited")
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with language("ru"):
        d = read_log(log).diagnostics[0]
    assert (d.code, d.line) == ("SP603", 3)
    assert d.message == "цепочка хешей обрывается на строке 3: журнал отредактирован после записи"
    from engine.play.replay import replay, resume
    with language("ru"):
        assert replay(log).banner() == ("Журнал отредактирован: цепочка хешей обрывается на "
                                        "строке 3")
        with pytest.raises(SessionError, match="^продолжить нельзя: Журнал отредактирован"):
            resume(log)


def test_the_driver_room_and_log_panel_words_in_russian(tmp_path):
    from engine.play.driver import Driver
    from engine.play.player_view import view_of_replay
    from engine.play.replay import replay
    from engine.play.session import describe_action
    sc = load_scenario_in(tutorial_scenario(), "ru")
    s = Session.start(sc, seed=1, group="g", log_path=tmp_path / "s.jsonl")
    d = Driver(s)
    with language("ru"):
        assert d.handle_line("[1]") == {"ok": False, "code": "bad_json", "message":
                                        'каждая строка должна быть JSON-объектом, например '
                                        '{"action": "next_turn"}'}
        refused = d.handle({"action": "choose", "branch": "open_office", "option": "open"})
        assert refused["code"] == "refused" and "сыграть нельзя" in refused["message"]
        s.next_turn()
        s.choose("press_negotiations", "push", "сейчас")
        assert describe_action(s.records[-1], sc).startswith("выбор «Япония добивается")
        view = view_of_replay(replay(tmp_path / "s.jsonl"), show_odds=True)
        assert view.waiting.startswith("Исход «Япония добивается договорённости» решит бросок (2d6")
        assert "шанс" in view.waiting
    s.close()
