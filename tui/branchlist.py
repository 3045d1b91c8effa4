"""The branch list as a list on Textual's Line API: it draws each entry once and keeps it.

Looks and behaves like an OptionList (the same component classes, so the same CSS: the
highlight, the mouse hover, the padding; ↑ ↓ home end page up/down, enter or a click selects),
but an entry is drawn again only when its text or its style changes: recording a choice
repaints the entries whose texts changed (the branch played, the ones it blocked or
opened), moving the highlight the two entries it leaves and reaches. An OptionList draws
every option again whenever one prompt changes.

An entry may end in a status line, always one line (cut to the width with an ellipsis): a
new status then never changes the entry's height, so the entries below it stay where they
are (for the eye, and for the frame: nothing else is drawn, the scrollbar does not move).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar, cast

from textual import events
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.css.styles import RulesMap
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.style import Style
from textual.visual import Padding, Visual, visualize

from .widgets import set_virtual_size


@dataclass(frozen=True)
class Entry:
    """One entry of the list: what it shows and the id it stands for."""

    prompt: Content             # wrapped to the list's width
    id: str
    disabled: bool = False      # as an OptionList's option (a branch list has none)
    status: Content | None = None   # one line under the prompt, cut to the width


class LineList(ScrollView, can_focus=True):
    """A list of one-or-more-line entries, one highlighted. Sends `Highlighted` when the
    highlight moves and `Selected` on enter or a click."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "cursor_down", "Down", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("enter", "select", "Select", show=False),
        Binding("home", "first", "First", show=False),
        Binding("pagedown", "page_down", "Page Down", show=False),
        Binding("pageup", "page_up", "Page Up", show=False),
        Binding("up", "cursor_up", "Up", show=False),
    ]

    # OptionList's look, under its component classes (so `#id > .option-list--option` rules
    # written for an OptionList apply unchanged)
    DEFAULT_CSS = """
    LineList {
        height: auto;
        max-height: 100%;
        color: $foreground;
        overflow-x: hidden;
        border: tall $border-blurred;
        padding: 0 1;
        background: $surface;
        & > .option-list--option-highlighted {
            color: $block-cursor-blurred-foreground;
            background: $block-cursor-blurred-background;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus {
            border: tall $border;
            background-tint: $foreground 5%;
            & > .option-list--option-highlighted {
                color: $block-cursor-foreground;
                background: $block-cursor-background;
                text-style: $block-cursor-text-style;
            }
        }
        & > .option-list--option-highlighted {
            color: $foreground;
            background: $block-cursor-blurred-background;
        }
        & > .option-list--option-disabled {
            color: $text-disabled;
        }
        & > .option-list--option-hover {
            background: $block-hover-background;
        }
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "option-list--option",
        "option-list--option-disabled",
        "option-list--option-highlighted",
        "option-list--option-hover",
    }

    highlighted: reactive[int | None] = reactive(None, repaint=False)
    """The index of the highlighted entry (None: the list is empty)."""

    hovered: reactive[int | None] = reactive(None, repaint=False)
    """The index of the entry under the mouse."""

    class EntryMessage(Message):
        def __init__(self, entry_list: LineList, entry: Entry, index: int) -> None:
            super().__init__()
            self.entry_list = entry_list
            self.entry = entry
            self.index = index

        @property
        def control(self) -> LineList:
            return self.entry_list

    class Highlighted(EntryMessage):
        """The highlight moved to `entry`."""

    class Selected(EntryMessage):
        """`entry` was chosen (enter, or a click)."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._entries: list[Entry] = []
        self._index: dict[str, int] = {}
        # per entry: (prompt, style, width) → its lines drawn; kept until the entry changes
        self._drawn: list[dict[tuple[Style, int], list[Strip]]] = []
        self._lines: list[tuple[int, int]] = []        # line → (entry, line within it)
        self._first_line: list[int] = []                # entry → its first line
        self._entry_heights: list[int] = []                   # entry → its lines (at _width)
        self._width = 0
        self._styles: dict[str, Style] = {}

    # -- the OptionList calls the screen and the tests use
    @property
    def option_count(self) -> int:
        return len(self._entries)

    @property
    def entries(self) -> Sequence[Entry]:
        return self._entries

    def get_option_at_index(self, index: int) -> Entry:
        return self._entries[index]

    def get_option_index(self, entry_id: str) -> int:
        return self._index[entry_id]

    def get_option(self, entry_id: str) -> Entry:
        return self._entries[self._index[entry_id]]

    @property
    def highlighted_option(self) -> Entry | None:
        h = self.highlighted
        return self._entries[h] if h is not None and h < len(self._entries) else None

    def set_options(self, entries: Iterable[Entry]) -> None:
        """Replace every entry (the highlight goes to the first)."""
        self._entries = list(entries)
        self._index = {e.id: i for i, e in enumerate(self._entries)}
        self._drawn = [{} for _ in self._entries]
        self._entry_heights = []
        self._relayout()
        self.refresh()
        self.highlighted = 0 if self._entries else None

    def replace_entry(self, index: int, prompt: Content, status: Content | None = None) -> None:
        """Show `prompt` and `status` for entry `index`: only its lines are drawn again (and
        the lines below it when its height changes)."""
        old = self._entries[index]
        self._entries[index] = Entry(prompt, old.id, old.disabled, status)
        self._drawn[index] = {}
        if not self._width or index >= len(self._entry_heights):
            return
        height = self._measure(index)
        if height == self._entry_heights[index]:
            self._refresh_entry(index)
        else:
            self._entry_heights[index] = height
            self._relayout()
            self.refresh()

    # -- geometry
    def _style_of(self, index: int) -> Style:
        entry = self._entries[index]
        if entry.disabled:
            component = "option-list--option-disabled"
        elif index == self.highlighted:
            component = "option-list--option-highlighted"
        elif index == self.hovered:
            component = "option-list--option-hover"
        else:
            component = ""
        return self.entry_style(component)

    def entry_style(self, component: str = "") -> Style:
        """The entries' style, with a component class's (asked for every line drawn, and
        costly to work out from the widget's and its ancestors' styles: kept until the
        styles change, `notify_style_update`)."""
        style = self._styles.get(component)
        if style is None:
            names = ("option-list--option", component) if component else ("option-list--option",)
            style = self._styles[component] = self.get_visual_style(*names)
        return style

    def _entry_lines(self, index: int, style: Style) -> list[Strip]:
        """Entry `index` drawn in `style` at the list's width (cached)."""
        drawn = self._drawn[index]
        key = (style, self._width)
        strips = drawn.get(key)
        if strips is None:
            if len(drawn) > 8:            # old styles (another theme, focus): forget them
                drawn.clear()
            strips = drawn[key] = self.draw_entry(index, style, self._width)
        return strips

    def draw_entry(self, index: int, style: Style, width: int) -> list[Strip]:
        """Entry `index`'s lines in `style`, `width` cells wide (padded as the
        `option-list--option` component says; a click on them says which entry)."""
        entry = self._entries[index]
        padding = self.get_component_styles("option-list--option").padding
        texts = [entry.prompt]
        if entry.status is not None:
            texts.append(entry.status.truncate(max(width - padding.width, 1), ellipsis=True))
        meta = {"option": index}
        strips: list[Strip] = []
        for text in texts:
            visual: Visual = visualize(self, text, markup=False)
            if padding:
                visual = Padding(visual, padding)
            strips += [strip.extend_cell_length(width, style.rich_style).apply_meta(meta)
                       for strip in Visual.to_strips(self, visual, width, None, style)]
        return strips

    def _relayout(self) -> None:
        """Lay the entries out at the current width (their heights) and size the list."""
        width = self.scrollable_content_region.width
        if not width:
            return
        if width != self._width:
            self._width = width
            self._entry_heights = []
            for drawn in self._drawn:
                drawn.clear()
        if len(self._entry_heights) != len(self._entries):
            self._entry_heights = [self._measure(index) for index in range(len(self._entries))]
        self._lines, self._first_line = [], []
        for index, height in enumerate(self._entry_heights):
            self._first_line.append(len(self._lines))
            self._lines += [(index, n) for n in range(height)]
        set_virtual_size(self, Size(width, len(self._lines)))

    def _measure(self, index: int) -> int:
        """How many lines entry `index` takes at the list's width (without drawing it)."""
        entry = self._entries[index]
        visual: Visual = visualize(self, entry.prompt, markup=False)
        padding = self.get_component_styles("option-list--option").padding
        if padding:
            visual = Padding(visual, padding)
        height = max(visual.get_height(cast(RulesMap, self.styles), self._width), 1)
        return height + (entry.status is not None)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines) if self._lines else len(self._entries)

    def on_resize(self) -> None:
        self._relayout()
        self.refresh()
        self.scroll_to_highlight()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self.refresh()          # a new style (focus, theme): drawn again from the cache

    def _refresh_entry(self, index: int | None) -> None:
        if index is None or index >= len(self._first_line) or not self._width:
            return
        y = self._first_line[index] - self.scroll_offset.y
        self.refresh(Region(0, y, self.scrollable_content_region.width, self._entry_heights[index]))

    # -- drawing
    def render_lines(self, crop: Region) -> list[Strip]:
        if self.scrollable_content_region.width != self._width:     # a scrollbar came or went
            self._relayout()
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        line = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if line >= len(self._lines) or width != self._width:
            return Strip.blank(width, self.entry_style().rich_style)
        index, offset = self._lines[line]
        strips = self._entry_lines(index, self._style_of(index))
        if offset >= len(strips):
            return Strip.blank(width, self.entry_style().rich_style)
        return strips[offset]

    # -- the highlight
    def validate_highlighted(self, highlighted: int | None) -> int | None:
        if highlighted is None or not self._entries:
            return None
        return max(0, min(highlighted, len(self._entries) - 1))

    def watch_highlighted(self, old: int | None, new: int | None) -> None:
        self._refresh_entry(old)
        self._refresh_entry(new)
        if new is not None:
            self.scroll_to_highlight()
            self.post_message(self.Highlighted(self, self._entries[new], new))

    def watch_hovered(self, old: int | None, new: int | None) -> None:
        self._refresh_entry(old)
        self._refresh_entry(new)

    def scroll_to_highlight(self) -> None:
        h = self.highlighted
        if h is None or not self.is_mounted or h >= len(self._first_line):
            return
        self.scroll_to_region(Region(0, self._first_line[h], self._width, self._entry_heights[h]),
                              force=True, animate=False, immediate=True)

    def action_cursor_up(self) -> None:
        if self.highlighted is not None:
            self.highlighted = max(self.highlighted - 1, 0)

    def action_cursor_down(self) -> None:
        if self.highlighted is not None:
            self.highlighted = min(self.highlighted + 1, len(self._entries) - 1)

    def action_first(self) -> None:
        if self._entries:
            self.highlighted = 0

    def action_last(self) -> None:
        if self._entries:
            self.highlighted = len(self._entries) - 1

    def _move_page(self, direction: int) -> None:
        if self.highlighted is None or not self._lines:
            return
        height = self.scrollable_content_region.height
        line = self._first_line[self.highlighted] + direction * height
        self.highlighted = self._lines[max(0, min(line, len(self._lines) - 1))][0]

    def action_page_up(self) -> None:
        self._move_page(-1)

    def action_page_down(self) -> None:
        self._move_page(1)

    def action_select(self) -> None:
        entry = self.highlighted_option
        if entry is not None and not entry.disabled and self.highlighted is not None:
            self.post_message(self.Selected(self, entry, self.highlighted))

    # -- the mouse
    def on_mouse_move(self, event: events.MouseMove) -> None:
        self.hovered = event.style.meta.get("option")

    def on_leave(self, event: events.Leave) -> None:
        self.hovered = None

    def on_click(self, event: events.Click) -> None:
        index = event.style.meta.get("option")
        if index is not None and not self._entries[index].disabled:
            self.highlighted = index
            self.action_select()
