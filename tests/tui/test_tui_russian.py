"""The interface in Russian: snapshots of the main screens at 80×24, the footer's keys and the
command palette in Russian, and no English left on screen when the language is Russian.

The language is the process's (`engine.i18n.set_language`, as `spillover --lang ru` sets it);
the autouse fixture in tests/conftest.py sets it back to English after each test.
"""

from __future__ import annotations

import re

import pytest
from textual.binding import Binding
from textual.widget import Widget
from tui_helpers import clock, fixed_now, make_app, screen_text

from engine import i18n
from engine.bundled import main_scenario
from engine.format.loader import load_scenario
from engine.play.session import Session

SMALL = (80, 24)


@pytest.fixture
def russian(monkeypatch, tmp_path):
    """Russian interface, run in an empty folder (the log path on screen is always the same)."""
    monkeypatch.chdir(tmp_path)
    i18n.set_language("ru")
    return tmp_path


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    pilot.app.clear_notifications()
    await pilot.pause()


def played(path, log, *, roll: bool = True) -> Session:
    s = Session.start(load_scenario(path), seed=7, group="Синие", log_path=log, clock=clock)
    s.next_turn()
    s.choose("press_talks", "push", "Токио торопит — 急ぐ")
    if roll:
        s.roll()
        s.release("beijing_warns", "")
    return s


def watch_app(log):
    from tui.watch import WatchApp
    app = WatchApp(log, now=fixed_now, poll=60)
    app.animation_level = "none"
    return app


# ------------------------------------------------------------------ snapshots at 80×24

def test_setup_screen_ru(snap_compare, multilingual_path, russian):
    app = make_app(scenario_path=multilingual_path, log_path="session.jsonl", group="Синие")
    assert snap_compare(app, terminal_size=SMALL, run_before=settle)


def test_exercise_screen_ru(snap_compare, multilingual_path, russian):
    async def run_before(pilot):
        await pilot.press("ctrl+s", "t")
        await settle(pilot)

    app = make_app(scenario_path=multilingual_path, log_path="session.jsonl", group="Синие")
    assert snap_compare(app, terminal_size=SMALL, run_before=run_before)


def test_roll_dialog_ru(snap_compare, multilingual_path, russian):
    async def run_before(pilot):
        await pilot.press("ctrl+s", "t", "1", "enter")     # press_talks, option 1: contested
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)

    app = make_app(scenario_path=multilingual_path, log_path="session.jsonl", group="Синие")
    assert snap_compare(app, terminal_size=SMALL, run_before=run_before)


def test_replay_screen_ru(snap_compare, multilingual_path, russian):
    played(multilingual_path, "session.jsonl").close()

    async def run_before(pilot):
        await pilot.press("n", "n")
        await settle(pilot)

    app = make_app(replay_log="session.jsonl")
    assert snap_compare(app, terminal_size=SMALL, run_before=run_before)


def test_player_view_ru(snap_compare, multilingual_path, russian):
    played(multilingual_path, "session.jsonl").close()
    assert snap_compare(watch_app("session.jsonl"), terminal_size=SMALL, run_before=settle)


# ------------------------------------------------------------------ snapshots at 100×30

WIDE = (100, 30)
LONG_LOG = "seminars/2026-spring/group-a/session-of-the-blue-group-синие-20260101-093000.jsonl"


async def end_session(pilot) -> None:
    await pilot.press("e")                  # hotwash notes, then who took part: both empty
    await settle(pilot)
    await pilot.press("ctrl+s")
    await settle(pilot)
    await pilot.press("ctrl+s")
    await settle(pilot)


def test_exercise_screen_ru_100x30(snap_compare, multilingual_path, russian):
    """At 100 columns the footer shows every key and the palette's hint, in full."""
    async def run_before(pilot):
        await pilot.press("ctrl+s", "t")
        await settle(pilot)

    app = make_app(scenario_path=multilingual_path, log_path="session.jsonl", group="Синие")
    assert snap_compare(app, terminal_size=WIDE, run_before=run_before)


def test_ended_session_ru_100x30(snap_compare, multilingual_path, russian):
    """The ended session's line names the log, its path shortened from the middle."""
    async def run_before(pilot):
        await pilot.press("ctrl+s", "t")
        await settle(pilot)
        await end_session(pilot)

    app = make_app(scenario_path=multilingual_path, log_path=LONG_LOG, group="Синие")
    assert snap_compare(app, terminal_size=WIDE, run_before=run_before)


async def test_at_100_columns_nothing_is_cut_and_the_whole_path_is_a_click_away(
        multilingual_path, russian):
    app = make_app(scenario_path=multilingual_path, log_path=LONG_LOG, group="Синие")
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("ctrl+s", "t")
        await settle(pilot)
        footer = screen_text(app).splitlines()[-1]
        assert footer.rstrip().endswith("▏^p меню"), footer
        for word in ("Выбор", "Заметка", "Вброс", "Правка", "Аргумент", "Откат", "Новый ход",
                     "Конец", "Помощь", "Выход"):
            assert word in footer, footer
        await end_session(pilot)
        lines = screen_text(app).splitlines()
        said = lines[2].strip()
        assert said.startswith("■ СЕССИЯ ЗАВЕРШЕНА — журнал: seminars/")
        assert said.endswith("-20260101-093000.jsonl; q — выход") and "…" in said
        assert len(lines[2].rstrip()) <= 100
        notices: list[str] = []
        notify = app.notify
        app.notify = lambda message, **kw: notices.append(message) or notify(message, **kw)
        await pilot.click("#ex-status", offset=(10, 2))
        await pilot.pause()
        assert app.clipboard == LONG_LOG
        assert notices == [f"Журнал: {LONG_LOG} (путь скопирован в буфер обмена)"]


# ------------------------------------------------------------------ keys and palette

async def palette_search(pilot, query: str, expected: str) -> str:
    """Type `query` into the open command palette; the screen's text once `expected` shows
    (the palette searches in a worker), or after two seconds."""
    await pilot.press(*query)
    for _attempt in range(40):
        text = screen_text(pilot.app)
        if expected in text:
            break
        await pilot.pause(0.05)
    return text


async def test_footer_and_palette_speak_russian_and_fit_80_columns(multilingual_path, russian):
    app = make_app(scenario_path=multilingual_path, log_path="session.jsonl", group="Синие")
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("ctrl+s", "t")
        await settle(pilot)
        footer = screen_text(app).splitlines()[-1]
        for word in ("Выбор", "Заметка", "Вброс", "Откат", "Новый ход", "Конец", "Помощь",
                     "Выход"):
            assert word in footer, footer                # every key shown in full at 80×24
    played(multilingual_path, "replayed.jsonl").close()
    app = make_app(replay_log="replayed.jsonl")
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        footer = screen_text(app).splitlines()[-1]
        for word in ("Начало", "Конец", "Далее", "Назад", "К ходу", "Помощь", "Выход",
                     "меню"):
            assert word in footer, footer
    app = make_app(scenario_path=multilingual_path, log_path="palette.jsonl", group="Синие")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+s", "t")
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert "Поиск команд…" in screen_text(app)
        text = await palette_search(pilot, "новый", "перейти к следующему ходу (клавиша: t)")
        assert "Новый ход" in text and "перейти к следующему ходу (клавиша: t)" in text
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        text = await palette_search(pilot, "тема", "Сменить цветовую тему")
        assert "Тема" in text and "Сменить цветовую тему" in text
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await palette_search(pilot, "клавиши", "Показать подсказку")
        await pilot.press("enter")                        # "Keys": the app's own key list
        await settle(pilot)
        text = screen_text(app)
        assert "Клавиши — Учение" in text and "t           Новый ход: перейти к следующему ходу" \
            in text, text
        assert "Change the current theme" not in text and "Next turn" not in text


async def test_the_language_is_chosen_at_run_time_not_at_import(multilingual_path, russian):
    """The screens' classes were imported (in English) by other tests: their bindings and
    texts still follow the language current when they are shown."""
    from tui.screens.exercise import ExerciseScreen
    assert any(isinstance(b, Binding) and b.description == "Next turn"
               for b in ExerciseScreen.BINDINGS)
    app = make_app(scenario_path=multilingual_path, log_path="session.jsonl", group="Синие")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+s", "t")
        await settle(pilot)
        assert "t Новый ход" in screen_text(app)
    i18n.set_language("en")
    app = make_app(scenario_path=multilingual_path, log_path="again.jsonl", group="Blue")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+s", "t")
        await settle(pilot)
        assert "t Next turn" in screen_text(app)


# ------------------------------------------------------------------ no English left

# Words the Russian text keeps in Latin script: names of exercises, formations and
# agreements as the article and its sources write them; the names of keys; command names.
KEPT_IN_LATIN = {
    "ANNUALEX", "AUKUS", "QUAD", "PBP", "II", "spillover",          # names
    "Sea", "Breeze", "Rapid", "Pacific", "Nikkei", "Asia",          # (of exercises, a paper)
    "ctrl", "enter", "escape", "esc", "space", "tab", "home", "end", "OK",   # keys, a button
    "resume",                                                        # a command
    "P", "S", "M", "U",                                              # HSEEP ratings (codes)
}

# Values and types written as the scenario's expressions are (the override dialog: the
# facilitator types them so): not translated.
# Conditions are shown as written in the scenario (not nato_exercise, occurred(x) and …).
SYNTAX = re.compile(r"\b(enum|set of) \{[^}]*\}|\bint \d+\.\.\d+|\bbool\b|\b(true|false)\b"
                    r"|\b(not|and|or|in) (?=\(|\w*_|\{)|\bturn (?=[=<>!]=?)")

LATIN_WORD = re.compile(r"[A-Za-z]+")


def english_words(texts: list[str], originals: tuple[str, ...] = ()) -> set[str]:
    """Latin-script words that are not ids, codes, paths, numbers, keys, allowed names or
    `originals` (the sources' titles as published, in German or English)."""
    found = set()
    for text in texts:
        for original in originals:
            text = text.replace(original, " ")
        for pattern in (SYNTAX,):
            text = pattern.sub(" ", text)
        for token in text.split():
            token = token.strip("()[]«»“”\"'.,:;!?—–-…·•→←↑↓●○✓✗⚑✉◆■⚄")
            if not token or any(c.isdigit() or c in "/._=@+{}$~\\" for c in token):
                continue                       # a path, an id, a date, a code, a value
            for word in LATIN_WORD.findall(token):
                if len(word) > 1 and word not in KEPT_IN_LATIN:
                    found.add(word)
    return found


def widget_texts(screen) -> list[str]:
    """Every text the screen's widgets hold, shown or scrolled out of view: contents,
    labels, placeholders, border titles, list options, footer keys."""
    from textual.widgets import Button, Input, OptionList, Static
    from textual.widgets._footer import FooterKey

    from tui.branchlist import LineList
    from tui.widgets import ParagraphView
    out = []
    for w in [screen, *screen.walk_children(Widget)]:
        if isinstance(w, Static):
            content = w.content
            out.append(getattr(content, "plain", str(content)))
        if isinstance(w, Button):
            out.append(str(w.label))
        if isinstance(w, Input):
            out.append(w.placeholder)
        if isinstance(w, (OptionList, LineList)):
            out += [str(getattr(w.get_option_at_index(i).prompt, "plain",
                                w.get_option_at_index(i).prompt))
                    for i in range(w.option_count)]
        if isinstance(w, FooterKey) and w.display:
            out.append(w.description)
        if isinstance(w, ParagraphView):
            out.append(w.plain)
        for title in (w.border_title, w.border_subtitle):
            if title:
                out.append(str(title))
    return out


def seen(app) -> list[str]:
    """What the screen holds (its widgets' texts in full: the painted text wraps phrases and
    overlays dialogs on panes), and the painted text's footer line."""
    return [*widget_texts(app.screen), screen_text(app).splitlines()[-1]]


async def test_no_english_on_screen_when_the_language_is_russian(russian):
    scenario = main_scenario()
    log = russian / "ru.jsonl"
    texts: dict[str, list[str]] = {}
    app = make_app(scenario_path=scenario, log_path=log, group="Синие", lang="ru")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        texts["setup"] = seen(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        texts["exercise, turn 0"] = seen(app)
        for key, name in (("question_mark", "help"), ("n", "note"), ("i", "inject"),
                          ("o", "override"), ("m", "argument")):
            await pilot.press(key)
            await settle(pilot)
            texts[name] = seen(app)
            await pilot.press("escape")
            await settle(pilot)
        await pilot.press("t")                   # no move in turn 0: the question first
        await settle(pilot)
        texts["confirm"] = seen(app)
        await pilot.press("y")
        await settle(pilot)
        while app.screen is not None and app.screen.id != "_default" \
                and type(app.screen).__name__ != "ExerciseScreen":
            texts.setdefault("inject card", []).extend(seen(app))
            await pilot.press("enter")           # close the scheduled injects' cards
            await settle(pilot)
        texts["exercise, turn 1"] = seen(app)
        s = app.session
        contested = next((v, o) for v in s.branch_views() if v.open
                         for o in v.branch.options if o.contested)
        while app.screen.highlighted_view().id != contested[0].id:
            await pilot.press("down")
        await pilot.press("c")
        await settle(pilot)
        texts["choose"] = seen(app)
        index = contested[0].branch.options.index(contested[1]) + 1
        await pilot.press(str(index), "enter")
        await pilot.press(*"обоснование", "enter")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        texts["roll"] = seen(app)
        await pilot.press("r")
        await settle(pilot)
        texts["roll result"] = seen(app)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        texts["end"] = seen(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        texts["end, who"] = seen(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        texts["ended"] = seen(app)
        await pilot.press("ctrl+q")

    app = make_app(replay_log=log)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        texts["replay"] = seen(app)
        for _step in range(4):
            await pilot.press("n")
            await settle(pilot)
            texts["replay"] += seen(app)

    app = watch_app(log)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        texts["player view"] = seen(app)

    sources = load_scenario(scenario).sources.values()
    originals = tuple(s.title_de for s in sources if s.title_de)
    # the override dialog offers each value as the facilitator types it: by its id
    sc = load_scenario(scenario)
    value_ids = {str(x) for v in sc.variables
                 for x in getattr(v.type, "values", ()) + getattr(v.type, "universe", ())}
    left = {name: sorted(english_words(t, originals) - (value_ids if name == "override"
                                                        else set()))
            for name, t in texts.items()}
    assert not {name: words for name, words in left.items() if words}, left
    assert len(texts) >= 16, sorted(texts)                    # every screen above was seen


async def test_when_every_key_cannot_fit_the_hint_goes_not_a_key(multilingual_path, russian):
    app = make_app(scenario_path=multilingual_path, log_path="session.jsonl", group="Синие")
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("ctrl+s", "t", "1", "enter")     # press_talks, option 1: contested
        await settle(pilot)
        footer = screen_text(app).splitlines()[-1]
        assert "r Бросок" in footer and "▏" not in footer, footer
        assert footer.rstrip().endswith("^q Выход"), footer
        for word in ("Выбор", "Заметка", "Вброс", "Правка", "Аргумент", "Откат", "Новый ход",
                     "Конец", "Помощь"):
            assert word in footer, footer


def test_a_path_is_shortened_from_the_middle_keeping_its_file_name():
    from tui.widgets import middle_ellipsis
    path = "seminars/2026-spring/group-a/nato-japan-синие-20260101-093000.jsonl"
    assert middle_ellipsis(path, len(path)) == path
    short = middle_ellipsis(path, 40)
    assert len(short) == 40 and short.startswith("seminars/") and "…" in short
    assert short.endswith("-20260101-093000.jsonl")
    assert middle_ellipsis("東京/日本語のファイル名.jsonl", 12) == "東京/….jsonl"   # 12 cells, not chars
