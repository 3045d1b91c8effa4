"""Small widgets, the screen-actions command provider, and text rendering shared by screens.

Rendering here only formats what engine calls return (views, records, rolls); it decides
nothing about the game.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import TypeVar

from textual import events
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Input

from engine.i18n import N_, _, ngettext
from engine.play import records as lr
from engine.play.session import BranchView, CitedEvent, describe_action
from engine.play.views import VariableView

MUTED = "$foreground-muted"
OK = "$text-success"
BAD = "$text-error"
WARN = "$text-warning"
ACCENT = "$text-accent"
PRIMARY = "$text-primary"

W = TypeVar("W", bound=Widget)

DIE_FACES = {1: "⚀", 2: "⚁", 3: "⚂", 4: "⚃", 5: "⚄", 6: "⚅"}


# ---------------------------------------------------------------------------- layout

# The width classes of both apps (the console and the player view): their CSS lays the
# panes out in columns from 120 columns on, and stacks them below.
BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]


def width_class(width: int) -> str:
    """The breakpoint class for a width, to set before the first layout (Textual sets it only
    once the screen has its size, after a layout and a wrap of every pane without it)."""
    return next(name for minimum, name in sorted(BREAKPOINTS, reverse=True) if width >= minimum)


def middle_ellipsis(text: str, width: int) -> str:
    """`text` in at most `width` cells (at least 5): whole if it fits, else its start and its
    end around "…", the end (a path's file name) given two thirds of the room."""
    width = max(width, 5)
    if Content(text).cell_length <= width:
        return text
    tail_room = (width - 1) * 2 // 3
    head, tail = "", ""
    for ch in reversed(text):
        if Content(ch + tail).cell_length > tail_room:
            break
        tail = ch + tail
    for ch in text:
        if Content(head + ch + "…" + tail).cell_length > width:
            break
        head += ch
    return head + "…" + tail


def titled(widget: W, title: str) -> W:
    """A pane: the widget with its title in its border."""
    widget.border_title = title
    return widget


# ---------------------------------------------------------------------------- widgets

class TextInput(Input):
    """An Input that follows the app's cursor-blink setting (off in tests and snapshots)."""

    def on_mount(self) -> None:
        self.cursor_blink = getattr(self.app, "cursor_blink", True)


class KeyFooter(Widget, can_focus=False):
    """The exercise screen's footer: one line of keys built from `Screen.active_bindings`.

    Textual's Footer removes and mounts a widget per key (20-25 ms for a dozen) on every
    bindings signal: each focus change and each `refresh_bindings`, even when nothing it
    shows changed. This one draws its keys as one line of text: the signals of a frame are
    coalesced into one check after the refresh, which repaints the line only when the keys
    differ. A click on a key presses it. Descriptions are translated when drawn."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"key-footer--key", "key-footer--description"}
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        width: 1fr;
        color: $footer-foreground;
        background: $footer-background;
        text-wrap: nowrap;
        text-overflow: clip;
        .key-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .key-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
    }
    """

    def __init__(self, *, compact: bool = True, narrow_hidden: Iterable[str] = (),
                 show_command_palette: bool = True, id: str | None = None) -> None:
        super().__init__(id=id)
        self.compact = compact
        self.show_command_palette = show_command_palette
        self.narrow_hidden = frozenset(narrow_hidden)
        self.narrow = False
        """When True the actions in `narrow_hidden` are left out (they stay in the command
        palette and the help screen): on a narrow terminal the essential keys fit."""
        self._shown: tuple | None = None
        self._pending = False
        self._key_columns: list[tuple[int, int, str, bool]] = []    # (start, end, key, enabled)

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def keys(self, narrow: bool | None = None) -> tuple:
        """What the footer shows: (key, key display, description, enabled) for the first
        shown binding of each action, then the command palette's key (or None). `narrow`
        (default: the footer's own) leaves out the actions in `narrow_hidden`."""
        active = self.screen.active_bindings
        narrow = self.narrow if narrow is None else narrow
        hidden = self.narrow_hidden if narrow else frozenset()
        first: dict[str, tuple] = {}
        for _node, b, enabled, _tooltip in active.values():
            if b.show and b.action not in first and b.action not in hidden \
                    and b.key != self.app.COMMAND_PALETTE_BINDING:
                first[b.action] = (b.key, self.app.get_key_display(b), b.description, enabled)
        palette = None
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            found = active.get(self.app.COMMAND_PALETTE_BINDING)
            if found is not None:
                b = found.binding
                palette = (b.key, self.app.get_key_display(b), b.description, found.enabled)
        return tuple(first.values()), palette

    def bindings_changed(self, screen) -> None:
        if self.is_attached and screen is self.screen and not self._pending:
            self._pending = True
            self.call_after_refresh(self._check_keys)

    def _check_keys(self) -> None:
        self._pending = False
        if self.is_attached and self.keys() != self._shown:
            self.refresh()

    def update_keys(self) -> None:
        """Draw the keys again now (after `narrow` or `show_command_palette` changed)."""
        self.refresh()

    def render(self) -> Content:
        keys, palette = self._shown = self.keys()
        width = self.size.width
        line, spans = self.line(keys, palette, width)
        if width and line.cell_length > width:
            # too long in this language (or with every key shown at once): the palette's
            # hint goes first, then the keys narrow widths leave out (? and ctrl+p list them)
            line, spans = self.line(keys, None, width)
            if line.cell_length > width:
                line, spans = self.line(self.keys(narrow=True)[0], None, width)
        self._key_columns = spans
        return line

    def line(self, keys, palette, width: int) -> tuple[Content, list[tuple[int, int, str, bool]]]:
        """The keys as one line, the palette's hint at its right end (its last space left
        out when the line is tight), and the columns each key takes."""
        key_style = self.get_visual_style("key-footer--key")
        description_style = self.get_visual_style("key-footer--description")
        parts: list[Content] = []
        spans: list[tuple[int, int, str, bool]] = []
        at = 0
        for n, (key, display, description, enabled) in enumerate(keys):
            if n:
                parts.append(Content(" "))
                at += 1
            item = Content.assemble((display, key_style), " ",
                                    (_(description), description_style))
            if not enabled:
                item = item.stylize("dim")
            spans.append((at, at + item.cell_length, key, enabled))
            parts.append(item)
            at += item.cell_length
        line = Content("").join(parts)
        if palette is not None:
            key, display, description, enabled = palette
            item = Content.assemble(("▏", MUTED), (display, key_style), " ",
                                    (_(description), description_style))
            if width - item.cell_length - 1 >= at + 1:
                item += " "
            start = max(width - item.cell_length, at + 1)
            line = line + Content(" " * (start - at)) + item
            spans.append((start, start + item.cell_length, key, enabled))
        return line, spans

    def on_click(self, event: events.Click) -> None:
        for start, end, key, enabled in self._key_columns:
            if start <= event.x < end:
                if enabled:
                    self.app.simulate_key(key)
                else:
                    self.app.bell()
                return


# ---------------------------------------------------------------------------- commands

def translated(text):
    """A binding's description or tooltip (marked with `N_` where the class is defined,
    before the language is known) in the current language; empty stays empty."""
    return _(text) if isinstance(text, str) and text else text


def screen_commands(screen) -> list[tuple[str, str, str]]:
    """(description, key, action) for each identified, shown binding of the screen that its
    `check_action` allows now (keys as remapped by any keymap)."""
    out = []
    seen = set()
    for ab in screen.active_bindings.values():
        b = ab.binding
        if ab.node is not screen or not ab.enabled or not b.id or not b.show \
                or not b.description or b.id in seen:
            continue
        seen.add(b.id)
        out.append((translated(b.description), screen.app.get_key_display(b), b.action))
    return out


class ScreenActionsProvider(Provider):
    """Offers in the command palette the actions that fit the current screen (its
    identified bindings that `check_action` allows now)."""

    def _hits(self):
        screen = self.screen
        for description, key, action in screen_commands(screen):
            help_text = _("key: {key}").format(key=key)
            more = getattr(screen, "ACTION_HELP", {}).get(action.partition("(")[0])
            if more:
                help_text = _("{help} (key: {key})").format(help=_(more), key=key)
            yield description, help_text, partial(screen.run_action, action)

    async def discover(self) -> Hits:
        for description, help_text, callback in self._hits():
            yield DiscoveryHit(description, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for description, help_text, callback in self._hits():
            score = matcher.match(description)
            if score > 0:
                yield Hit(score, matcher.highlight(description), callback, help=help_text)


# ---------------------------------------------------------------------------- rendering

def styled(text: str, style: str = "") -> Content:
    return Content.styled(text, style) if style else Content(text)


def lines(parts: Iterable[Content | str]) -> Content:
    return Content("\n").join([p if isinstance(p, Content) else Content(p) for p in parts])


def branch_prompt(view: BranchView, turn: int | None) -> tuple[Content, Content]:
    """One entry of the branch list: open ● / blocked ○ and the title, then a status line
    (one line, cut to the list's width; the detail pane says it whole): ✓ when played, and
    whether it can be played now or why not (for a branch of other turns than `turn`, which
    turns; `turn` is None once the session has ended). A choice changes statuses, never
    titles, so the entries keep their heights."""
    b = view.branch
    played = ("✓ ", f"bold {ACCENT}") if view.played else ("", "")
    if view.open:
        return (Content.assemble(("● ", OK), (b.title, "bold")),
                Content.assemble("  ", played, (_("can be played now"), OK)))
    if turn is not None and turn not in b.turns and b.turns:
        why = ngettext("turn {turns}", "turns {turns}", len(b.turns)).format(
            turns=turns_text(b.turns))
    elif view.blocked in SHORT_STATUS:
        why = _(SHORT_STATUS[view.blocked])
    else:
        why = view.said or view.reason or _("blocked")
    return (Content.assemble(("○ ", MUTED), (b.title, MUTED)),
            Content.assemble("  ", played, (why, f"italic {MUTED}")))


# A branch list's status for the reasons whose whole text would not fit its column (the
# detail pane says them whole); the others (a precondition, the options) are cut to fit.
SHORT_STATUS = {
    "played_this_turn": N_("played this turn"),
    "played": N_("played, once only"),
    "roll": N_("waiting for a roll"),
    "moves": N_("no moves left"),
    "ended": N_("session ended"),
}


def turns_text(turns) -> str:
    nums = sorted(turns)
    return ", ".join(map(str, nums)) if nums else _("none")


Para = tuple  # (indent, Content | str) or (indent, Content | str, hang)


def heading(text: str) -> list[Para]:
    return [(0, ""), (0, styled(text, "bold underline"))]


def event_paragraphs(cited: Iterable[CitedEvent], indent: int = 2) -> list[Para]:
    """The cited events: date, title, whether it occurred, summary, and each source with its
    footnotes ("fn. 23") and URL."""
    out: list[Para] = []
    for i, ce in enumerate(cited):
        ev = ce.event
        if ce.switched_off:
            status = (_("switched off"), f"bold {WARN}")
        elif ce.occurred:
            status = (_("occurred"), OK)
        else:
            status = (_("not yet"), MUTED)
        if i:
            out.append((0, ""))
        out.append((indent, Content.assemble((ev.date, f"bold {ACCENT}"), "  ", (ev.title, "bold"),
                                             "  (", status, ")")))
        if ev.title_ru:
            out.append((indent + 2, styled(ev.title_ru, MUTED)))
        if ev.summary:
            out.append((indent + 2, Content(" ".join(ev.summary.split()))))
        for source, footnotes in ce.sources:
            text = source.issuer + ": " if source.issuer else ""
            text += source.title
            if source.published:
                text += f" ({source.published})"
            fns = ("  " + _("fn. {numbers}").format(numbers=", ".join(map(str, footnotes)))
                   if footnotes else "")
            out.append((indent + 2, Content.assemble(("— ", MUTED), (text, "italic"),
                                                     (fns, f"bold {ACCENT}"))))
            for original in (source.title_ru, source.title_de):   # the title as published
                if original and original != source.title:
                    out.append((indent + 4, styled(original, MUTED)))
            if source.url:
                out.append((indent + 4, styled(source.url, f"underline {PRIMARY}")))
    return out


def _clause_line(clause) -> Content:
    """A clause marked ✓/✗ with the values it read."""
    mark = ("✓ ", f"bold {OK}") if clause.holds else ("✗ ", f"bold {BAD}")
    vals = ", ".join(f"{name} = {value}" for name, value in clause.values)
    return Content.assemble(mark, (clause.text, "bold" if clause.holds else f"bold {BAD}"),
                            ("   " + vals if vals else "", MUTED))


def branch_detail(view: BranchView, *, actor: str, modifiers: list[tuple[str, int]] | None,
                  probability: str | None, fired: set[str],
                  pending_option: str | None) -> list[Para]:
    """The detail of one branch: what it is, whether it can be played now and why (clause by
    clause, with the values read), how it is adjudicated, its signposts and the events it
    rests on."""
    b = view.branch
    out: list[Para] = [(0, styled(b.title, f"bold {PRIMARY}"))]
    facts = []
    if actor:
        facts.append(_("actor: {actor}").format(actor=actor))
    facts.append(ngettext("turn {turns}", "turns {turns}", len(b.turns)).format(
        turns=turns_text(b.turns)))
    if b.repeatable:
        facts.append(_("repeatable"))
    if view.played:
        facts.append(_("played") + " ✓")
    out.append((0, styled(" · ".join(facts), MUTED)))
    if view.open:
        out.append((0, styled(_("OPEN — can be played now"), f"bold {OK}")))
    else:
        out.append((0, Content.assemble((_("BLOCKED"), f"bold {BAD}"), " — ",
                                        view.said or view.reason or "")))
    if view.narrative:
        out += [(0, ""), (0, Content(" ".join(view.narrative.split())))]

    out += heading(_("Options"))
    for n, opt in enumerate(b.options, start=1):
        mark = " " + _("(contested: rolled)") if opt.contested else ""
        now = "  ← " + _("waiting for the roll") if pending_option == opt.id else ""
        out.append((2, Content.assemble((f"{n}. ", f"bold {ACCENT}"), (opt.label, "bold"),
                                        (mark, MUTED), (now, f"bold {WARN}"))))
        ov = view.option(opt.id)
        if ov is not None and ov.narrative:
            out.append((5, styled(" ".join(ov.narrative.split()), MUTED)))
        for clause in ov.clauses if ov else ():          # the option's own condition
            out.append((5, _clause_line(clause)))

    out += heading(_("Precondition"))
    if not view.clauses:
        out.append((2, styled(_("none: playable whenever its turns allow"), MUTED)))
    for clause in view.clauses:
        out.append((2, _clause_line(clause)))

    adj = b.adjudication
    if adj is not None:
        out += heading(_("Adjudication"))
        chance = ("    " + _("chance of success now {chance}").format(chance=probability)
                  if probability else "")
        if adj.graded:                  # format 2: the results and the totals giving each
            out.append((2, Content.assemble(_("roll") + " ", (adj.dice, "bold"), (": " + ", ".join(
                f"{band.label} {band.totals_text()}" for band in adj.bands), MUTED))))
        elif adj.opposed:               # format 2: against the opposing side's pool
            out.append((2, Content.assemble(
                _("roll") + " ", (adj.dice, "bold"), _(" vs "), (adj.against_dice, "bold"),
                f" ({adj.against_label})" if adj.against_label else "", (chance, MUTED))))
        else:
            out.append((2, Content.assemble(
                _("roll") + " ", (adj.dice, "bold"), " ≥ ", (str(adj.target), "bold"),
                (chance, MUTED))))
        if adj.note:
            out.append((2, Content(" ".join(adj.note.split()))))
        if modifiers:
            out += [(2, Content.assemble((f"{value:+d}", f"bold {ACCENT}"), " ", label))
                    for label, value in modifiers]
        elif adj.modifiers:
            out.append((2, styled(_("no modifier applies now"), MUTED)))

    if b.signposts:
        out += heading(_("Signposts"))
        for sp in b.signposts:
            done = sp.id in fired
            out.append((2, Content.assemble(("⚑ " if done else "· ", OK if done else MUTED),
                                            sp.text, ("  " + _("(fired)") if done else "", OK))))

    out += heading(_("Rests on (cited events)"))
    if view.events:
        out += event_paragraphs(view.events)
    else:
        out.append((2, styled(_("no cited events"), MUTED)))
    return out


def variable_line(v: VariableView) -> Content:
    """label: value in words; coloured and marked ◆ when it changed this turn."""
    if v.changed:
        return Content.assemble((v.label, WARN), ": ", (v.shown or v.value, f"bold {WARN}"),
                                (" ◆", f"bold {WARN}"))
    return Content.assemble(v.label, ": ", (v.shown or v.value, "bold"))


def state_paragraphs(variables: list[VariableView]) -> list[Para]:
    """label: value per variable; those changed this turn coloured and marked ◆."""
    return [(2, variable_line(v)) for v in variables]


def record_entry(rec: dict, undone: bool, scenario=None) -> list[Para]:
    """One logged action's paragraphs in the log panel (struck through when undone)."""
    n = rec.get("n", "?")
    style = f"strike {MUTED}" if undone else ""
    turn = _("T{turn}").format(turn=rec.get('turn', '?'))
    out: list[Para] = [(0, Content.assemble((f"{n} ", MUTED), (turn + " ", ACCENT),
                                            (describe_action(rec, scenario), style)), 2)]
    why = rec.get("rationale")
    if why:
        out.append((2, styled(f"“{why}”", f"italic {MUTED}")))
    if lr.kind(rec) is lr.End and rec.get("hotwash"):
        out.append((2, styled(_("hotwash: {text}").format(text=rec['hotwash']),
                              f"italic {MUTED}")))
    return out


def dice_text(faces, sides: int | None = None) -> str:
    if sides == 6 or (sides is None and all(1 <= f <= 6 for f in faces)):
        return "  ".join(f"{DIE_FACES[f]} {f}" for f in faces)
    return "  ".join(f"[{f}]" for f in faces)


def _key(content: Content) -> tuple:
    return (content.plain, tuple(content.spans))


def set_virtual_size(widget: ScrollView, size: Size) -> bool:
    """Give a pane (overflow-y auto, no horizontal scrollbar) a new virtual size. Setting
    the reactive lays the whole screen out, and each layout redraws every pane's scrollbar
    (Textual tells each ScrollView its size again): here the screen is laid out only when
    the vertical scrollbar comes or goes; otherwise the scrollbar is told the new size (it
    repaints itself) and the scroll position is kept within it. Returns whether the screen
    is to be laid out (the pane's scroll limits are then known only after it)."""
    if size == widget.virtual_size:
        return False
    widget.set_reactive(ScrollView.virtual_size, size)
    height = widget.container_size.height
    if not (widget.is_mounted and height and widget.styles.overflow_y == "auto"
            and (size.height > height) == widget.show_vertical_scrollbar):
        widget.refresh(layout=True, repaint=False)
        return True
    if widget.show_vertical_scrollbar:
        bar = widget.vertical_scrollbar
        bar.window_virtual_size = size.height
        bar.window_size = height
    if widget.scroll_y > widget.max_scroll_y:
        widget.scroll_to(y=widget.max_scroll_y, animate=False, immediate=True)
    return False


class StopsFollowingOnScrollUp:
    """For a pane that follows its end (the log): scrolling up, by key or wheel, leaves the end;
    the pane says how in `stop_following`. Put it before the ScrollView in the bases."""

    def stop_following(self) -> None:
        raise NotImplementedError

    def action_scroll_up(self) -> None:
        self.stop_following()
        super().action_scroll_up()              # type: ignore[misc]

    def action_page_up(self) -> None:
        self.stop_following()
        super().action_page_up()                # type: ignore[misc]

    def action_scroll_home(self) -> None:
        self.stop_following()
        super().action_scroll_home()            # type: ignore[misc]

    def on_mouse_scroll_up(self) -> None:      # the widget's own handler still scrolls
        self.stop_following()


class ParagraphView(StopsFollowingOnScrollUp, ScrollView):
    """A scrolling pane of paragraphs with hanging indents: each (indent, Content[, hang])
    wraps to the width left after its indent, its later lines indented `hang` more.

    It draws its own lines (only those on screen), and a new text changes only its virtual
    size, so moving through the branch list repaints this pane without a layout of the whole
    screen. `update` does nothing when the text is unchanged, wraps again only the paragraphs
    that changed, and when the pane does not scroll repaints only the lines on screen that
    changed (the log after a choice: one line; the detail: the option now waiting). The
    scrollbar's column is kept even while the text fits, so the text keeps its width when the
    scrollbar comes (the log's newest line used to show a frame late while it was wrapped
    again)."""

    DEFAULT_CSS = """
    ParagraphView {
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-gutter: stable;
        text-wrap: nowrap;
        text-overflow: clip;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._paragraphs: list[tuple[int, Content, int]] = []
        self._signature: tuple = ()
        self._wrapped: dict[int, list[Content]] = {}
        self._para_wraps: dict[tuple, list[Content]] = {}
        self._line_cache: dict[tuple, Strip] = {}
        self._follow_end = False

    @property
    def plain(self) -> str:
        return "\n".join(c.plain for _indent, c, _hang in self._paragraphs)

    def update(self, paragraphs: Iterable[tuple], *,
               scroll_home: bool = False, scroll_end: bool = False) -> None:
        out = []
        for para in paragraphs:
            indent, content, hang = (*para, 0) if len(para) == 2 else para
            content = content if isinstance(content, Content) else Content(content)
            for line in content.split("\n", allow_blank=True) if content.plain else [content]:
                out.append((indent, line, hang))
        signature = tuple((indent, _key(c), hang) for indent, c, hang in out)
        if signature == self._signature:
            if scroll_home:
                self.scroll_to(0, 0, animate=False)
            return
        self._follow_end = scroll_end
        if not self.size.width:     # not laid out yet: wrapped once it has its width
            self._paragraphs, self._signature = out, signature
            self._wrapped = {}
            self.refresh()
            return
        width = self._text_width()
        before = self._wrapped.get(width)
        self._paragraphs, self._signature = out, signature
        self._wrapped = {}
        after = self._lines(width)
        self._follow_end = scroll_end
        top = self.scroll_offset.y
        self._set_virtual_size()
        if scroll_home:
            self.scroll_to(0, 0, animate=False)
        elif scroll_end:
            self.scroll_end(animate=False, immediate=True)
        self._repaint(before, after, top)

    def _repaint(self, before: list[Content] | None, after: list[Content], top: int) -> None:
        """Repaint the lines on screen that changed; all of them if the pane scrolled or its
        scrollbar came or went (the text width changes)."""
        height = self.scrollable_content_region.height
        if (before is None or not self.is_mounted or not height
                or self.scroll_offset.y != top
                or (len(before) > height) != (len(after) > height)):
            self.refresh()
            return
        rows = [row for row in range(height)
                if _line_at(before, top + row) != _line_at(after, top + row)]
        if rows:
            width = self.size.width
            self.refresh(*(Region(0, row, width, 1) for row in rows))

    def _text_width(self) -> int:
        return max(self.scrollable_content_region.width, 1)

    def _lines(self, width: int) -> list[Content]:
        if len(self._para_wraps) > 4000:
            self._para_wraps.clear()
        return wrap_paragraphs(self._paragraphs, width, self._wrapped, self._signature,
                               self._para_wraps)

    def _set_virtual_size(self) -> None:
        """A new virtual size repaints no line of the pane (the reactive would: `update`
        repaints what changed) and lays the screen out only when the scrollbar comes or
        goes (`set_virtual_size`)."""
        width = self._text_width()
        set_virtual_size(self, Size(width, len(self._lines(width))))

    def on_resize(self) -> None:
        # a pane that shows its end (the log) keeps showing it when it is resized: by the
        # terminal, or by the status line above growing to two lines
        self._set_virtual_size()
        if self._follow_end:
            self.call_after_refresh(self.scroll_end, animate=False, immediate=True)

    def stop_following(self) -> None:
        self._follow_end = False

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._line_cache.clear()            # a new theme or style: draw every line again

    def render_line(self, y: int) -> Strip:
        from textual.visual import Visual
        width = self._text_width()
        lines = self._lines(width)
        index = self.scroll_offset.y + y
        if index >= len(lines):
            return Strip.blank(self.size.width, self.rich_style)
        line = lines[index]
        key = (width, line.plain, tuple(line.spans))
        strip = self._line_cache.get(key)
        if strip is None:        # only lines on screen that were not drawn before
            strips = Visual.to_strips(self, line, width, 1, self.visual_style, pad=True)
            strip = strips[0] if strips else Strip.blank(width, self.rich_style)
            if len(self._line_cache) > 2000:
                self._line_cache.clear()
            self._line_cache[key] = strip
        return strip.crop_extend(0, self.size.width, self.rich_style)


def _line_at(lines: list[Content], index: int) -> tuple | None:
    return _key(lines[index]) if index < len(lines) else None


def wrap_paragraphs(paragraphs: list[tuple[int, Content, int]], width: int,
                    cache: dict[int, list[Content]], keys: tuple | None = None,
                    para_cache: dict[tuple, list[Content]] | None = None) -> list[Content]:
    """The paragraphs (indent, text, hang) wrapped to `width`: each line after its indent,
    lines after the first indented `hang` more (cached by width; each paragraph also in
    `para_cache` by width and `keys`, its signature, when given)."""
    cached = cache.get(width)
    if cached is not None:
        return cached
    out: list[Content] = []
    for n, (indent, content, hang) in enumerate(paragraphs):
        if not content.plain:
            out.append(content)
            continue
        key = (width, keys[n]) if keys is not None and para_cache is not None else None
        wrapped = para_cache.get(key) if key is not None and para_cache is not None else None
        if wrapped is None:
            wrapped = wrap_paragraph(indent, content, hang, width)
            if key is not None and para_cache is not None:
                para_cache[key] = wrapped
        out += wrapped
    if len(cache) > 4:
        cache.clear()
    cache[width] = out
    return out


def wrap_paragraph(indent: int, content: Content, hang: int, width: int) -> list[Content]:
    """One paragraph wrapped to `width` after its indent, lines after the first indented
    `hang` more."""
    first, *rest = content.wrap(max(width - indent, 8))
    out = [Content(" " * indent) + first if indent else first]
    if rest and hang:        # re-wrap what follows the first line, indented further
        tail = content[len(first.plain):]
        tail = tail[len(tail.plain) - len(tail.plain.lstrip()):]
        rest = tail.wrap(max(width - indent - hang, 8))
    pad = Content(" " * (indent + hang)) if indent + hang else None
    out += [pad + line if pad is not None else line for line in rest]
    return out
