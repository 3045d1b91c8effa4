"""Small widgets, the screen-actions command provider, and text rendering shared by screens.

Rendering here only formats what engine calls return (views, records, rolls); it decides
nothing about the game.
"""

from __future__ import annotations

from functools import partial
from typing import Iterable

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Input

from engine.session import BranchView, CitedEvent, describe_action
from engine.views import VariableView

MUTED = "$foreground-muted"
OK = "$text-success"
BAD = "$text-error"
WARN = "$text-warning"
ACCENT = "$text-accent"
PRIMARY = "$text-primary"

DIE_FACES = {1: "⚀", 2: "⚁", 3: "⚂", 4: "⚃", 5: "⚄", 6: "⚅"}


# ---------------------------------------------------------------------------- widgets

class TextInput(Input):
    """An Input that follows the app's cursor-blink setting (off in tests and snapshots)."""

    def on_mount(self) -> None:
        self.cursor_blink = getattr(self.app, "cursor_blink", True)


# ---------------------------------------------------------------------------- commands

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
        out.append((b.description, screen.app.get_key_display(b), b.action))
    return out


class ScreenActionsProvider(Provider):
    """Offers in the command palette the actions that fit the current screen (its
    identified bindings that `check_action` allows now)."""

    def _hits(self):
        screen = self.screen
        for description, key, action in screen_commands(screen):
            help_text = f"key: {key}"
            more = getattr(screen, "ACTION_HELP", {}).get(action.partition("(")[0])
            if more:
                help_text = f"{more} (key: {key})"
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


def branch_prompt(view: BranchView) -> Content:
    """One entry of the branch list: open ● / blocked ○, the title, ✓ when played, and for a
    blocked branch why."""
    played = ("  ✓", f"bold {ACCENT}") if view.played else ("", "")
    if view.open:
        return Content.assemble(("● ", OK), (view.branch.title, "bold"), played)
    return Content.assemble(("○ ", MUTED), (view.branch.title, MUTED), played, "\n",
                            ("  " + (view.reason or "blocked"), f"italic {MUTED}"))


def turns_text(turns) -> str:
    nums = sorted(turns)
    return ", ".join(map(str, nums)) if nums else "none"


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
            status = ("switched off", f"bold {WARN}")
        elif ce.occurred:
            status = ("occurred", OK)
        else:
            status = ("not yet", MUTED)
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
            fns = f"  fn. {', '.join(map(str, footnotes))}" if footnotes else ""
            out.append((indent + 2, Content.assemble(("— ", MUTED), (text, "italic"),
                                                     (fns, f"bold {ACCENT}"))))
            if source.title_ru:
                out.append((indent + 4, styled(source.title_ru, MUTED)))
            if source.url:
                out.append((indent + 4, styled(source.url, f"underline {PRIMARY}")))
    return out


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
        facts.append(f"actor: {actor}")
    facts.append(f"turns {turns_text(b.turns)}")
    if b.repeatable:
        facts.append("repeatable")
    if view.played:
        facts.append("played ✓")
    out.append((0, styled(" · ".join(facts), MUTED)))
    if view.open:
        out.append((0, styled("OPEN — can be played now", f"bold {OK}")))
    else:
        out.append((0, Content.assemble(("BLOCKED", f"bold {BAD}"), " — ", view.reason or "")))
    if b.narrative:
        out += [(0, ""), (0, Content(" ".join(b.narrative.split())))]

    out += heading("Options")
    for n, opt in enumerate(b.options, start=1):
        mark = " (contested: rolled)" if opt.contested else ""
        now = "  ← waiting for the roll" if pending_option == opt.id else ""
        out.append((2, Content.assemble((f"{n}. ", f"bold {ACCENT}"), (opt.label, "bold"),
                                        (mark, MUTED), (now, f"bold {WARN}"))))
        if opt.narrative:
            out.append((5, styled(" ".join(opt.narrative.split()), MUTED)))

    out += heading("Precondition")
    if not view.clauses:
        out.append((2, styled("none: playable whenever its turns allow", MUTED)))
    for clause in view.clauses:
        mark = ("✓ ", f"bold {OK}") if clause.holds else ("✗ ", f"bold {BAD}")
        vals = ", ".join(f"{name} = {value}" for name, value in clause.values)
        out.append((2, Content.assemble(mark, (clause.text, "bold" if clause.holds
                                               else f"bold {BAD}"),
                                        ("   " + vals if vals else "", MUTED))))

    adj = b.adjudication
    if adj is not None:
        out += heading("Adjudication")
        out.append((2, Content.assemble(
            "roll ", (adj.dice, "bold"), " ≥ ", (str(adj.target), "bold"),
            (f"    chance of success now {probability}" if probability else "", MUTED))))
        if adj.note:
            out.append((2, Content(" ".join(adj.note.split()))))
        if modifiers:
            out += [(2, Content.assemble((f"{value:+d}", f"bold {ACCENT}"), " ", label))
                    for label, value in modifiers]
        elif adj.modifiers:
            out.append((2, styled("no modifier applies now", MUTED)))

    if b.signposts:
        out += heading("Signposts")
        for sp in b.signposts:
            done = sp.id in fired
            out.append((2, Content.assemble(("⚑ " if done else "· ", OK if done else MUTED),
                                            sp.text, ("  (fired)" if done else "", OK))))

    out += heading("Rests on (cited events)")
    if view.events:
        out += event_paragraphs(view.events)
    else:
        out.append((2, styled("no cited events", MUTED)))
    return out


def state_paragraphs(variables: list[VariableView]) -> list[Para]:
    """label: value per variable; those changed this turn coloured and marked ◆."""
    out: list[Para] = []
    for v in variables:
        if v.changed:
            out.append((2, Content.assemble((v.label, WARN), ": ", (v.value, f"bold {WARN}"),
                                            (" ◆", f"bold {WARN}"))))
        else:
            out.append((2, Content.assemble(v.label, ": ", (v.value, "bold"))))
    return out


def record_paragraphs(records: list[dict]) -> list[Para]:
    """The log panel: each action (`describe_action`) with its rationale; undone actions are
    struck through."""
    undone = {r.get("undoes") for r in records if r.get("action") == "undo"}
    out: list[Para] = []
    for rec in records:
        n = rec.get("n", "?")
        style = f"strike {MUTED}" if n in undone else ""
        out.append((0, Content.assemble((f"{n} ", MUTED), (f"T{rec.get('turn', '?')} ", ACCENT),
                                        (describe_action(rec), style)), 2))
        why = rec.get("rationale")
        if why:
            out.append((2, styled(f"“{why}”", f"italic {MUTED}")))
        if rec.get("action") == "end" and rec.get("hotwash"):
            out.append((2, styled(f"hotwash: {rec['hotwash']}", f"italic {MUTED}")))
    return out


def dice_text(faces, sides: int | None = None) -> str:
    if sides == 6 or (sides is None and all(1 <= f <= 6 for f in faces)):
        return "  ".join(f"{DIE_FACES[f]} {f}" for f in faces)
    return "  ".join(f"[{f}]" for f in faces)


def _key(content: Content) -> tuple:
    return (content.plain, tuple(content.spans))


class ParagraphView(ScrollView):
    """A scrolling pane of paragraphs with hanging indents: each (indent, Content[, hang])
    wraps to the width left after its indent, its later lines indented `hang` more.

    It draws its own lines (only those on screen), and a new text changes only its virtual
    size, so moving through the branch list repaints this pane without a layout of the whole
    screen. `update` does nothing when the text is unchanged."""

    DEFAULT_CSS = """
    ParagraphView {
        overflow-x: hidden;
        overflow-y: auto;
        text-wrap: nowrap;
        text-overflow: clip;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._paragraphs: list[tuple[int, Content]] = []
        self._signature: tuple = ()
        self._wrapped: dict[int, list[Content]] = {}
        self._line_cache: dict[tuple, Strip] = {}
        self._follow_end = False

    @property
    def plain(self) -> str:
        return "\n".join(c.plain for _, c, _ in self._paragraphs)

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
        self._paragraphs, self._signature = out, signature
        self._wrapped = {}
        self._set_virtual_size()
        self._follow_end = scroll_end
        if scroll_home:
            self.scroll_to(0, 0, animate=False)
        elif scroll_end:
            self.scroll_end(animate=False, immediate=True)
        self.refresh()

    def _text_width(self) -> int:
        return max(self.scrollable_content_region.width, 1)

    def _set_virtual_size(self) -> None:
        width = self._text_width()
        self.virtual_size = Size(width, len(wrap_paragraphs(self._paragraphs, width,
                                                            self._wrapped)))

    def on_resize(self) -> None:
        # a pane that shows its end (the log) keeps showing it when it is resized: by the
        # terminal, or by the status line above growing to two lines
        self._set_virtual_size()
        if self._follow_end:
            self.call_after_refresh(self.scroll_end, animate=False, immediate=True)

    def _stop_following(self) -> None:
        self._follow_end = False

    def action_scroll_up(self) -> None:
        self._stop_following()
        super().action_scroll_up()

    def action_page_up(self) -> None:
        self._stop_following()
        super().action_page_up()

    def action_scroll_home(self) -> None:
        self._stop_following()
        super().action_scroll_home()

    def on_mouse_scroll_up(self) -> None:      # Widget's own handler still scrolls
        self._stop_following()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._line_cache.clear()            # a new theme or style: draw every line again

    def render_line(self, y: int) -> Strip:
        from textual.visual import Visual
        width = self._text_width()
        lines = wrap_paragraphs(self._paragraphs, width, self._wrapped)
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


def wrap_paragraphs(paragraphs: list[tuple[int, Content, int]], width: int,
                    cache: dict[int, list[Content]]) -> list[Content]:
    """The paragraphs (indent, text, hang) wrapped to `width`: each line after its indent,
    lines after the first indented `hang` more (cached by width)."""
    cached = cache.get(width)
    if cached is not None:
        return cached
    out: list[Content] = []
    for indent, content, hang in paragraphs:
        if not content.plain:
            out.append(content)
            continue
        first, *rest = content.wrap(max(width - indent, 8))
        out.append(Content(" " * indent) + first if indent else first)
        if rest and hang:        # re-wrap what follows the first line, indented further
            tail = content[len(first.plain):]
            tail = tail[len(tail.plain) - len(tail.plain.lstrip()):]
            rest = tail.wrap(max(width - indent - hang, 8))
        pad = Content(" " * (indent + hang)) if indent + hang else None
        out += [pad + line if pad is not None else line for line in rest]
    if len(cache) > 4:
        cache.clear()
    cache[width] = out
    return out
