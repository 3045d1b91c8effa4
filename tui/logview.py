"""The session log pane as a virtual list: it wraps and draws only the entries on screen.

An entry is one logged action with its rationale (`widgets.record_entry`), one or more
lines once wrapped. The pane scrolls by entry: its scroll position is the index of the
entry at its top, so its virtual height is the number of entries (plus the screenful at the
end), known without wrapping any of them. Showing the end wraps only the last entries that
fill the pane; a new action adds one entry. So the pane of a 10,000-action session costs
what a fresh one's does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from textual.content import Content
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.visual import Visual

from engine.play.errors import SessionError

from .widgets import (
    Para,
    StopsFollowingOnScrollUp,
    record_entry,
    set_virtual_size,
    wrap_paragraph,
)

_CACHE_LIMIT = 2000               # wrapped entries and drawn lines kept


def entry_lines(paragraphs: list[Para], width: int) -> list[Content]:
    """An entry's paragraphs wrapped to `width` (each line of a multi-line text on its own)."""
    out: list[Content] = []
    for para in paragraphs:
        indent, content, hang = (*para, 0) if len(para) == 2 else para
        content = content if isinstance(content, Content) else Content(content)
        for part in content.split("\n", allow_blank=True) if content.plain else [content]:
            out += wrap_paragraph(indent, part, hang, width) if part.plain else [part]
    return out


class LogView(StopsFollowingOnScrollUp, ScrollView):
    """The log pane. `show(records, scenario)` takes the session's records (header first,
    the list the session appends to) and looks only at the lines added since the last call,
    unless the list is another one."""

    DEFAULT_CSS = """
    LogView {
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-gutter: stable;
        text-wrap: nowrap;
        text-overflow: clip;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._records: Sequence[dict[str, Any]] = ()
        self._scenario: Any = None
        self._seen = 0                          # records shown (fewer now: another log)
        self._is_undone: Callable[[Any], bool] = lambda n: False
        self._empty: list[Para] = []
        self._follow = True                     # show the end as entries are added
        self._entries: dict[tuple[int, int, bool], list[Content]] = {}
        self._strips: dict[tuple[Any, ...], Strip] = {}
        self._version = 0                       # changes with what the entries say
        self._shown: tuple[tuple[Any, ...], list[Content]] | None = None

    # -- content
    @property
    def count(self) -> int:
        """How many entries (logged actions) the pane holds."""
        return max(len(self._records) - 1, 0)

    def show(self, records: Sequence[dict[str, Any]], scenario: Any,
             empty: list[Para] | None, undone: Callable[[Any], bool]) -> None:
        """Show the log `records` (header first); `empty` is shown while there is no action.
        `undone` says whether an action (by number) was undone (`Session.undone`: asked only
        for the entries on screen, so no pass over a long log looks for undos)."""
        self._empty = empty or []
        self._is_undone = undone
        if records is not self._records or scenario is not self._scenario \
                or len(records) < self._seen:
            self._records, self._scenario = records, scenario
            self._seen = 1
            self._entries.clear()
        if self.max_scroll_y and self.scroll_offset.y >= self.max_scroll_y:
            self._follow = True
        self._seen = len(records)
        self._version += 1
        laid_out = self._set_virtual_size()
        self.refresh()
        if self._follow:
            # at the end in this frame (a scroll after it would draw the pane twice), unless
            # the scrollbar just came: the end is known after the layout
            if laid_out:
                self.call_after_refresh(self.scroll_end, animate=False)
            else:
                self.scroll_end(animate=False, immediate=True)

    @property
    def plain(self) -> str:
        """The text on screen."""
        return "\n".join(line.plain for line in self.visible_lines())

    def _entry(self, index: int, width: int) -> list[Content]:
        """Entry `index` (0: the first action) wrapped to `width`."""
        try:
            rec = self._records[index + 1]
        except SessionError as e:       # a line under a checkpoint that is no record
            return entry_lines([(0, Content.styled(str(e), "bold red"))], width)
        n = rec.get("n", "?")
        undone = self._is_undone(n)
        key = (index, width, undone)
        lines = self._entries.get(key)
        if lines is None:
            if len(self._entries) > _CACHE_LIMIT:
                self._entries.clear()
            lines = self._entries[key] = entry_lines(
                record_entry(rec, undone, self._scenario), width)
        return lines

    # -- geometry: positions 0 … count - fit are entries at the top; `end` shows the end
    def _text_width(self) -> int:
        return max(self.scrollable_content_region.width, 1)

    def _end(self) -> tuple[int, bool]:
        """The last scroll position, and whether the entries overflow the pane there (the
        last ones, which fill it, are then shown from the bottom, the first of them cut)."""
        height = self.scrollable_content_region.height
        width = self._text_width()
        total, index = 0, self.count
        while index > 0 and total < height:
            index -= 1
            total += len(self._entry(index, width))
        if total <= height:
            return index, False
        return index + 1, True

    def _set_virtual_size(self) -> bool:
        """Size the pane to its entries; whether the screen is to be laid out for it."""
        height = self.scrollable_content_region.height
        if not height:                          # not laid out yet: on_resize does it
            return True
        end, _ = self._end()
        return set_virtual_size(self, Size(self._text_width(), end + height))

    def on_resize(self) -> None:
        self._strips.clear()
        self._version += 1
        self._set_virtual_size()
        if self._follow:
            self.call_after_refresh(self.scroll_end, animate=False)

    def visible_lines(self) -> list[Content]:
        """The lines on screen."""
        height = self.scrollable_content_region.height
        width = self._text_width()
        key = (self._version, width, height, self.scroll_offset.y, self._follow)
        if self._shown is None or self._shown[0] != key:
            self._shown = (key, self._lines(width, height))
        return self._shown[1]

    def _lines(self, width: int, height: int) -> list[Content]:
        if not self.count:
            return entry_lines(self._empty, width)[:height]
        end, overflow = self._end()
        top = min(self.scroll_offset.y, end)
        lines: list[Content] = []
        if overflow and (self._follow or top >= end):       # the end, from the bottom
            index = self.count
            while index > 0 and len(lines) < height:
                index -= 1
                lines = self._entry(index, width) + lines
            return lines[-height:]
        index = top
        while index < self.count and len(lines) < height:
            lines += self._entry(index, width)
            index += 1
        return lines[:height]

    # -- scrolling up leaves the end (StopsFollowingOnScrollUp); reaching it again follows it
    def stop_following(self) -> None:
        if self._follow:
            self._follow = False
            self.scroll_to(y=self._end()[0], animate=False, immediate=True)

    # -- drawing
    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()                   # a new theme or style: draw every line again

    def render_line(self, y: int) -> Strip:
        window = self.visible_lines()
        if y >= len(window):
            return Strip.blank(self.size.width, self.rich_style)
        line = window[y]
        width = self._text_width()
        key = (width, line.plain, tuple(line.spans))
        strip = self._strips.get(key)
        if strip is None:
            strips = Visual.to_strips(self, line, width, 1, self.visual_style, pad=True)
            strip = strips[0] if strips else Strip.blank(width, self.rich_style)
            if len(self._strips) > _CACHE_LIMIT:
                self._strips.clear()
            self._strips[key] = strip
        return strip.crop_extend(0, self.size.width, self.rich_style)
