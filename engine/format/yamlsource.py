"""Safe YAML loading that keeps 1-based positions and reports problems as Diagnostics.

`load_yaml_file` / `load_yaml_text` return `(data, diagnostics)` and never raise. Mappings
come back as `LocDict`, sequences as `LocList` and every string as a `LocStr`, each carrying
the place it was written, so later checks can point at `file:line:col`.

Only plain data is accepted: str, int, float, bool, null, mappings and sequences. Dates and
timestamps stay the string the author wrote. Any other tag is refused (SP106), merge keys
(`<<`) are refused (SP108), and aliases are expanded under a budget (SP107) so an alias bomb
cannot eat time or memory.

How it works: the parser (libyaml's when available) is driven event by event and a small
composer here builds a node graph that remembers where each alias was written; values are
then constructed from the nodes, counting every node visited (an alias re-visits its
anchor's subtree) against a budget of the file's own node count plus MAX_NODE_VISITS, so
only alias expansion can exhaust it; an alias inside the value it names is refused too.
PyYAML's `safe_load` is not used: it drops alias positions and silently keeps the last of
two duplicate keys. A file without anchors, the usual case, takes a fast path with the same
results: libyaml's composer builds the node graph in C and one Python pass builds the
values (see "the fast path" below). Positions are made when first asked for, and cyclic
garbage collection is paused while loading (`gc_paused`).

`data` is None when the file cannot be used: SP101 (unreadable), SP102 (not UTF-8), SP103
(empty), SP104 (syntax) or SP107 (alias bomb, recursion, nesting). With SP105, SP106, SP108,
SP109 or SP110 the data is still returned (best effort: the offending entry is left out or
set to None, only the first document is kept) alongside the errors, so later checks can run.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import re
import stat
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import ScalarNode, SequenceNode

from engine.diagnostics import Diagnostic, Pos, diag
from engine.i18n import N_, _

__all__ = [
    "LocDict",
    "LocList",
    "LocStr",
    "MAX_DEPTH",
    "MAX_NODE_VISITS",
    "gc_paused",
    "load_yaml_file",
    "load_yaml_text",
]

MAX_NODE_VISITS = 100_000  # node visits that aliases may add on top of the file's own nodes
MAX_DEPTH = 200  # nesting of mappings and sequences, aliases expanded
MAX_INT = 10**15 - 1  # the largest whole number accepted (15 digits), so no value is huge
MAX_FILE_BYTES = 32 << 20  # a scenario, include or catalogue file (a large one is ~1 MB)

_Loader = yaml.CSafeLoader if getattr(yaml, "__with_libyaml__", False) else yaml.SafeLoader

_Y = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL, _TIMESTAMP = (
    _Y + t for t in ("str", "int", "float", "bool", "null", "timestamp"))
_SEQ, _MAP, _MERGE, _VALUE = _Y + "seq", _Y + "map", _Y + "merge", _Y + "value"
_SCALAR_TAGS = {_STR, _INT, _FLOAT, _BOOL, _NULL, _TIMESTAMP}

# Where YAML breaks lines (libyaml and PyYAML agree): CRLF counts once.
_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
# Characters YAML refuses in a stream (the same set PyYAML's and libyaml's readers use).
_NON_PRINTABLE = re.compile(
    "[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")
# What the check above lets through in ASCII text, to delete with bytes.translate.
_PRINTABLE_ASCII = bytes([0x09, 0x0A, 0x0D, *range(0x20, 0x7F)])
_ANCHOR = re.compile(r"&[^\s,\[\]{}]*")
_TAG = re.compile(r"!<[^>]*>|![^\s,\[\]{}]*")

_FATAL = {"SP101", "SP102", "SP103", "SP104", "SP107"}
_NOWHERE = Pos("<input>", 0, 0)

_CONSTRUCT = SafeConstructor()
_MAKERS = {
    _INT: _CONSTRUCT.construct_yaml_int,
    _FLOAT: _CONSTRUCT.construct_yaml_float,
    _BOOL: _CONSTRUCT.construct_yaml_bool,
    _NULL: _CONSTRUCT.construct_yaml_null,
}
_KIND = {_INT: N_("an integer"), _FLOAT: N_("a number"), _BOOL: "true/false", _NULL: "null"}


def _make(tag: str, value: str) -> Any:
    """A scalar's value by its tag; ValueError for an integer beyond ±MAX_INT."""
    made = _MAKERS[tag](ScalarNode(tag, value))
    if tag == _INT and abs(made) > MAX_INT:
        raise _TooLarge
    return made


class _TooLarge(ValueError):
    pass


def _scalar_problem(exc: Exception, value: str, tag: str) -> str:
    if isinstance(exc, _TooLarge) or (tag == _INT and "digits" in str(exc)):
        return _("'{value}' is too large: whole numbers have at most 15 digits").format(
            value=_clip(value))
    return _("'{value}' cannot be read as {kind}").format(value=_clip(value),
                                                          kind=_(_KIND[tag]))


# ---------------------------------------------------------------------------- values

class LocStr(str):
    """A string scalar and where its text starts (inside the quotes for quoted scalars)."""

    pos: Pos
    style: str | None  # None plain, "'" or '"' quoted, "|" or ">" block
    _lazy: tuple[str, int, int, str | None]   # set by the fast loader: (file, line, col, style)

    def __new__(cls, value: str = "", pos: Pos | None = None, style: str | None = None):
        self = super().__new__(cls, value)
        self.pos = pos if pos is not None else _NOWHERE
        self.style = style
        return self

    def __getattr__(self, name: str) -> Any:
        # The fast loader stores (file, line, col, style) and makes the Pos when first asked.
        if name == "pos" or name == "style":
            lazy = self.__dict__.pop("_lazy", None)
            if lazy is not None:
                self.pos = Pos(lazy[0], lazy[1], lazy[2])
                self.style = lazy[3]
                return self.__dict__[name]
        raise AttributeError(f"'LocStr' object has no attribute '{name}'")

    def __reduce_ex__(self, protocol):
        self.pos  # noqa: B018 -- lazy positions are made now, so copies and pickles hold them
        return super().__reduce_ex__(protocol)


class LocDict(dict):
    """A YAML mapping (keys are `LocStr`) with where it starts, where each key is written
    and where each value starts."""

    pos: Pos
    key_pos: dict[str, Pos]
    value_pos: dict[str, Pos]
    # set by the fast loader: (its _Fast, libyaml's start mark, tag, keys, (key, value) marks)
    _lazy: tuple[_Fast, Any, Any, list[str], list[tuple[Any, Any]]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pos = _NOWHERE
        self.key_pos = {}
        self.value_pos = {}

    def __getattr__(self, name: str) -> Any:
        # The fast loader keeps libyaml's marks and makes the positions when first asked.
        if name == "pos" or name == "key_pos" or name == "value_pos":
            lazy = self.__dict__.pop("_lazy", None)
            if lazy is not None:
                src, mark, tag, keys, marks = lazy
                at = src.at
                self.pos = src.coll_pos(mark, tag)
                self.key_pos = {k: at(km) for k, (km, _) in zip(keys, marks)}
                self.value_pos = {k: at(vm) for k, (_, vm) in zip(keys, marks)}
                return self.__dict__[name]
        raise AttributeError(f"'LocDict' object has no attribute '{name}'")

    def __reduce_ex__(self, protocol):
        self.pos  # noqa: B018 -- lazy positions are made now, so copies and pickles hold them
        return super().__reduce_ex__(protocol)


class LocList(list):
    """A YAML sequence with where it starts and where each item starts."""

    pos: Pos
    item_pos: list[Pos]
    _lazy: tuple[_Fast, Any, Any, list[Any]]   # set by the fast loader: (_Fast, mark, tag, marks)

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.pos = _NOWHERE
        self.item_pos = []

    def __getattr__(self, name: str) -> Any:
        # The fast loader keeps libyaml's marks and makes the positions when first asked.
        if name == "pos" or name == "item_pos":
            lazy = self.__dict__.pop("_lazy", None)
            if lazy is not None:
                src, mark, tag, marks = lazy
                self.pos = src.coll_pos(mark, tag)
                self.item_pos = list(map(src.at, marks))
                return self.__dict__[name]
        raise AttributeError(f"'LocList' object has no attribute '{name}'")

    def __reduce_ex__(self, protocol):
        self.pos  # noqa: B018 -- lazy positions are made now, so copies and pickles hold them
        return super().__reduce_ex__(protocol)


# ---------------------------------------------------------------------------- nodes

_UNBUILT = object()


class _Scalar:
    __slots__ = ("tag", "explicit", "value", "style", "start", "end", "props", "text_pos",
                 "built")

    def __init__(self, tag, explicit, value, style, start, end, props):
        self.tag = tag
        self.explicit = explicit  # the tag was written, not resolved
        self.value = value
        self.style = style
        self.start = start  # (line, col), 0-based; includes any anchor or tag
        self.end = end
        self.props = props  # an anchor or tag precedes the text
        self.text_pos: Pos | None = None
        self.built: Any = _UNBUILT  # scalars are immutable, so aliases may share them


class _Coll:
    __slots__ = ("kind", "tag", "items", "start", "props", "open")

    def __init__(self, kind, tag, start, props):
        self.kind = kind  # "seq" or "map"
        self.tag = tag
        self.items: list = []  # nodes, or (key, value) node pairs
        self.start = start  # includes any anchor or tag
        self.props = props
        self.open = True  # still being composed: an alias to it would be recursive


class _Alias:
    __slots__ = ("target", "start")

    def __init__(self, target, start):
        self.target = target
        self.start = start  # where the *alias is written


class _Bad:
    """Stands for a node already reported (undefined or recursive alias); builds to None."""

    __slots__ = ("start",)

    def __init__(self, start):
        self.start = start


class _Abort(Exception):
    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_Y):] if tag.startswith(_Y) else tag


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _mark(m) -> tuple[int, int]:
    return (m.line, m.column)


def _skip_props(lines: list[str], line: int, col: int,
                end: tuple[int, int]) -> tuple[int, int]:
    """Step over `&anchor` and `!tag` (and spaces, breaks, comments) to the text."""
    start = (line, col)
    while line < len(lines) and (line, col) <= end:
        s = lines[line]
        while col < len(s) and s[col] in " \t":
            col += 1
        if col >= len(s) or s[col] == "#":
            line, col = line + 1, 0
            continue
        m = (_ANCHOR if s[col] == "&" else _TAG if s[col] == "!" else None)
        if m is None:
            return (line, col) if (line, col) <= end else start
        found = m.match(s, col)
        col = found.end() if found else col + 1
    return start


def _block_start(lines: list[str], line: int, col: int,
                 end: tuple[int, int]) -> tuple[int, int]:
    """The first written character of a block scalar's content, or the next line."""
    last = min(end[0], len(lines) - 1)
    for n in range(line + 1, last + 1):
        s = lines[n] if n < end[0] else lines[n][: end[1]]
        body = s.lstrip(" ")
        if body.strip():
            return (n, len(s) - len(body))
    if line + 1 < len(lines):
        return (line + 1, 0)
    return (line, col)


# ---------------------------------------------------------------------------- the reader

class _Reader:
    def __init__(self, text: str, filename: str):
        self.text = text
        self.file = filename
        self.lines = _BREAK.split(text)
        self.diags: list[Diagnostic] = []
        self.anchors: dict[str, Any] = {}
        self.visits = 0
        self.budget = MAX_NODE_VISITS  # grows by one for each node written in the file
        self.last_alias: tuple[int, int] | None = None
        self.alias_stack: list[tuple[int, int]] = []
        self._pos_cache: dict[tuple[int, int], Pos] = {}

    # -- positions

    def pos(self, start: tuple[int, int]) -> Pos:
        found = self._pos_cache.get(start)
        if found is None:
            found = self._pos_cache[start] = Pos(self.file, start[0] + 1, start[1] + 1)
        return found

    def index_to_pos(self, index: int) -> Pos:
        before = self.text[:index]
        breaks = list(_BREAK.finditer(before))
        line_start = breaks[-1].end() if breaks else 0
        return Pos(self.file, len(breaks) + 1, index - line_start + 1)

    def text_pos(self, node: _Scalar) -> Pos:
        if node.text_pos is None:
            line, col = node.start
            if node.props:
                line, col = _skip_props(self.lines, line, col, node.end)
            if node.style in ("'", '"'):
                col += 1
            elif node.style in ("|", ">"):
                line, col = _block_start(self.lines, line, col, node.end)
            node.text_pos = Pos(self.file, line + 1, col + 1)
        return node.text_pos

    def coll_pos(self, node: _Coll) -> Pos:
        """Where a mapping or sequence starts: its bracket or first entry, past any
        anchor or tag."""
        if not node.props:
            return self.pos(node.start)
        return self.pos(_skip_props(self.lines, node.start[0], node.start[1], (len(self.lines), 0)))

    # -- composing: events to nodes

    def compose(self, loader) -> Any:
        loader.get_event()  # stream start
        if loader.check_event(StreamEndEvent):
            return None
        loader.get_event()  # document start
        root = self._node(loader, 0)
        loader.get_event()  # document end
        if loader.check_event(DocumentStartEvent):
            second = loader.peek_event()
            self.diags.append(diag(
                "SP110", _("a second YAML document starts here; a file holds one document"),
                self.pos(_mark(second.start_mark)),
                hint=_("remove the '---' line and what follows, or move it to its own file")))
        return root

    def _node(self, loader, depth: int) -> Any:
        event = loader.get_event()
        self.budget += 1
        start = _mark(event.start_mark)
        if isinstance(event, AliasEvent):
            target = self.anchors.get(event.anchor)
            if target is None:
                self.diags.append(diag(
                    "SP104", _("the alias *{name} refers to no anchor").format(name=event.anchor),
                    self.pos(start),
                    hint=_("define '&{name}' on a value before this alias uses it").format(
                        name=event.anchor)))
                return _Bad(start)
            if isinstance(target, _Coll) and target.open:
                self.diags.append(diag(
                    "SP107", _("the alias *{name} is inside the value it refers to (a recursive "
                               "structure)").format(name=event.anchor), self.pos(start),
                    hint=_("an alias may only refer to a value that is complete before it")))
                return _Bad(start)
            return _Alias(target, start)

        if isinstance(event, ScalarEvent):
            explicit = event.tag not in (None, "!")
            tag = event.tag if explicit else loader.resolve(ScalarNode, event.value, event.implicit)
            node = _Scalar(tag, explicit, event.value, event.style or None, start,
                           _mark(event.end_mark), event.anchor is not None or event.tag is not None)
            if event.anchor is not None:
                self.anchors[event.anchor] = node
            return node

        if isinstance(event, (SequenceStartEvent, MappingStartEvent)):
            is_seq = isinstance(event, SequenceStartEvent)
            if depth >= MAX_DEPTH:
                raise _Abort(diag(
                    "SP107", _("the data is nested more than {n} levels deep").format(n=MAX_DEPTH),
                    self.pos(start), hint=_("flatten the structure")))
            explicit = event.tag not in (None, "!")
            tag = event.tag if explicit else (_SEQ if is_seq else _MAP)
            coll = _Coll("seq" if is_seq else "map", tag, start,
                         event.anchor is not None or event.tag is not None)
            if event.anchor is not None:
                self.anchors[event.anchor] = coll
            if is_seq:
                while not loader.check_event(SequenceEndEvent):
                    coll.items.append(self._node(loader, depth + 1))
            else:
                while not loader.check_event(MappingEndEvent):
                    key = self._node(loader, depth + 1)
                    coll.items.append((key, self._node(loader, depth + 1)))
            loader.get_event()  # collection end
            coll.open = False
            return coll

        # The parser never yields anything else here; be safe anyway.
        raise _Abort(diag("SP104", _("unexpected YAML event {event}").format(
            event=type(event).__name__),
                          self.pos(start)))

    # -- constructing: nodes to values

    def _tick(self, start: tuple[int, int]) -> None:
        """Count one node visit; aliases re-visit their anchor's subtree, so a file's own
        nodes are always within budget and only alias expansion can exhaust it."""
        self.visits += 1
        if self.visits > self.budget:
            at = self.alias_stack[0] if self.alias_stack else (self.last_alias or start)
            raise _Abort(diag(
                "SP107", _("following aliases (*name) expands the data by more than {n} values "
                           "— an alias bomb?").format(n=f"{MAX_NODE_VISITS:,}"), self.pos(at),
                hint=_("refer to anchored values fewer times, or write the data out")))

    def build(self, node: Any, depth: int = 0) -> Any:
        self._tick(node.start)
        kind = type(node)
        if kind is _Scalar:
            if node.built is _UNBUILT:
                node.built = self._scalar(node)
            return node.built
        if kind is _Alias:
            if not self.alias_stack:
                self.last_alias = node.start
            self.alias_stack.append(node.start)
            try:
                return self.build(node.target, depth)
            finally:
                self.alias_stack.pop()
        if kind is _Bad:
            return None
        if depth >= MAX_DEPTH:
            raise _Abort(diag(
                "SP107", _("with aliases expanded, the data is nested more than {n} levels "
                           "deep").format(n=MAX_DEPTH),
                self.pos(self.alias_stack[0] if self.alias_stack else node.start),
                hint=_("refer to anchored values less deeply, or write the data out")))
        want = _SEQ if node.kind == "seq" else _MAP
        if node.tag != want:
            self._refuse_tag(node.tag, node.start)
            return None
        if node.kind == "seq":
            out = LocList()
            out.pos = self.coll_pos(node)
            for item in node.items:
                out.append(self.build(item, depth + 1))
                out.item_pos.append(self.pos(item.start))
            return out
        return self._mapping(node, depth)

    def _refuse_tag(self, tag: str, start: tuple[int, int]) -> None:
        self.diags.append(diag(
            "SP106", _("the tag {tag} is refused: only plain data (text, numbers, true/false, "
                       "null, lists and mappings) is allowed").format(tag=_short_tag(tag)),
            self.pos(start), hint=_("remove the tag and write the value as plain data")))

    def _scalar(self, node: _Scalar) -> Any:
        tag = node.tag
        if not node.explicit and tag in (_MERGE, _VALUE):
            tag = _STR  # a plain '<<' or '=' used as a value is just text
        if tag in (_STR, _TIMESTAMP) or (not node.explicit and ":" in node.value
                                          and tag in (_INT, _FLOAT)):
            # Dates stay text; so do YAML 1.1 base-60 numbers (`12:30` is not 750).
            return LocStr(node.value, self.text_pos(node), node.style)
        maker = _MAKERS.get(tag)
        if maker is None:
            self._refuse_tag(tag, node.start)
            return None
        try:
            return _make(tag, node.value)
        except Exception as exc:
            self.diags.append(diag(
                "SP104", _scalar_problem(exc, node.value, tag),
                self.text_pos(node),
                hint=_("fix the value, or quote it to keep it as text")))
            return None

    def _key(self, knode: Any) -> tuple[LocStr | None, Pos]:
        self._tick(knode.start)
        kpos = self.pos(knode.start)
        node = knode.target if isinstance(knode, _Alias) else knode
        if isinstance(node, _Bad):
            return None, kpos
        if isinstance(node, _Coll):
            self.diags.append(diag(
                "SP109", _("a mapping key must be text, not a list") if node.kind == "seq"
                else _("a mapping key must be text, not a mapping"), kpos,
                hint=_("write the key as plain text, e.g. 'name: value'")))
            return None, kpos
        if node.explicit and node.tag not in _SCALAR_TAGS:
            self._refuse_tag(node.tag, node.start)
            return None, kpos
        if not node.explicit and node.tag == _MERGE:
            self.diags.append(diag(
                "SP108", _("merge keys (<<) are not supported"), kpos,
                hint=_("write the keys out in this mapping instead of merging them in")))
            return None, kpos
        if node.style is None and node.value == "":
            self.diags.append(diag(
                "SP109", _("a mapping key is empty"), kpos,
                hint=_("write a name before the ':'")))
            return None, kpos
        # Any scalar key is its source text: `on:` is "on", `1:` is "1", `null:` is "null".
        return LocStr(node.value, self.text_pos(node), node.style), kpos

    def _mapping(self, node: _Coll, depth: int) -> LocDict:
        out = LocDict()
        out.pos = self.coll_pos(node)
        for knode, vnode in node.items:
            key, kpos = self._key(knode)
            value = self.build(vnode, depth + 1)  # built even if the key is dropped: report all
            if key is None:
                continue
            if key in out:
                first = out.key_pos[key]
                self.diags.append(diag(
                    "SP105", _("the key '{key}' appears twice in this mapping").format(
                        key=_clip(key)), kpos,
                    hint=_("'{key}' is first written on line {line}; remove or rename one of "
                           "them").format(key=_clip(key), line=first.line)))
                continue
            out[key] = value
            out.key_pos[key] = kpos
            out.value_pos[key] = self.pos(vnode.start)
        return out

    # -- errors from the parser

    def syntax_diag(self, err: yaml.YAMLError, from_libyaml: bool) -> Diagnostic:
        if isinstance(err, yaml.MarkedYAMLError):
            problem = err.problem or err.context or _("invalid YAML")
            mark = err.problem_mark or err.context_mark
            message = problem
            if err.context and err.problem:
                message += f" ({err.context}"
                cm = err.context_mark
                if cm is not None and (mark is None or _mark(cm) != _mark(mark)):
                    # (the parser's own words are English: the rest of the line stays so)
                    message += f" that starts at line {cm.line + 1}, column {cm.column + 1}"
                message += ")"
            if mark is not None:
                at = Pos(self.file, mark.line + 1, mark.column + 1)
            else:
                at = Pos(self.file, 1, 1)
            return diag("SP104", message, at, hint=self._syntax_hint(message, at))
        if isinstance(err, yaml.reader.ReaderError):
            index = err.position
            if from_libyaml:  # libyaml counts bytes of the UTF-8 text
                index = len(self.text.encode("utf-8")[:index].decode("utf-8", "ignore"))
            at = self.index_to_pos(min(max(index, 0), len(self.text)))
            return diag("SP104", err.reason, at,
                        hint=_("remove the invisible control character"))
        return diag("SP104", str(err) or _("invalid YAML"), Pos(self.file, 1, 1))

    def _syntax_hint(self, problem: str, at: Pos) -> str:
        line = self.lines[at.line - 1] if 0 < at.line <= len(self.lines) else ""
        char = line[at.col - 1] if 0 < at.col <= len(line) else ""
        if char == "\t" or "'\\t'" in problem:
            return _("indent with spaces, not tabs")
        if "cannot start any token" in problem:
            return _("quote the value: YAML cannot start plain text with {char}").format(
                char=repr(char)) if char else _("quote the value")
        if "mapping values are not allowed" in problem:
            return _("quote a value that contains ': ' (e.g. title: \"Phase 1: setup\"), or "
                     "check the indentation")
        if "end of stream" in problem and "quoted" in problem:
            return _("a quote is not closed")
        if "found unexpected end of stream" in problem:
            return _("a quote or bracket is not closed")
        if "expected ',' or" in problem:
            if re.search(r"\[[^\]]*[=<>!]", line) and "{" in line:
                return _("inside a flow-style [...] the braces of an expression such as s = "
                         "{a, b} are read as YAML: quote the expression, e.g. [\"s = {a, "
                         "b}\"], or write one '- item' per line")
            return _("a bracket is not closed, or a comma is missing between items")
        return _("check the indentation and quoting on this line and the lines before it")


# ---------------------------------------------------------------------------- the fast path

# libyaml's own composer builds the node graph in C, and one Python pass turns the nodes into
# located values, so a file costs about what `yaml.load` costs. It handles files without
# anchors (so without aliases): a node graph keeps no trace of where an alias was written and
# cannot tell an anchor from no anchor, so any text with what may be an anchor (an '&' that
# does not follow a letter, digit or _) takes the event-driven path above. So does anything
# else the fast path does not reproduce exactly: an error of any kind (syntax, an undefined
# alias, a second document), or nesting as deep as MAX_DEPTH (libyaml's composer recurses
# in C, so the depth is bounded while it composes). Whatever the path, the values, positions
# and diagnostics must be the same: the fast path mirrors _Reader.build, _key and _scalar.

_MAYBE_ANCHOR = re.compile(r"(?<!\w)&")
_CANON = {t: t for t in (_STR, _INT, _FLOAT, _BOOL, _NULL, _TIMESTAMP, _MERGE, _VALUE)}
# First character of a plain scalar -> the implicit resolvers that may match it, in order
# (as Resolver.resolve picks them; the fast path is off if a resolver matches any character).
_FAST = not _Loader.yaml_implicit_resolvers.get(None)
_IMPLICIT = {
    first: tuple((_CANON.get(tag, tag), rx) for tag, rx in
                 resolvers + _Loader.yaml_implicit_resolvers.get(None, []))
    for first, resolvers in _Loader.yaml_implicit_resolvers.items() if first is not None
}
_BOOLS = dict(SafeConstructor.bool_values)
_DIGITS = frozenset("0123456789")
_str_new = str.__new__
_dict_new = dict.__new__
_list_new = list.__new__


class _Fallback(Exception):
    """The fast path met something only the event-driven path reproduces exactly."""


class _Fast:
    """Builds located values from the node graph of libyaml's composer (no anchors)."""

    def __init__(self, text: str, filename: str):
        self.text = text
        self.file = filename
        self.diags: list[Diagnostic] = []
        self.bang = "!" in text  # a '!' tag may hide behind an implicitly resolved scalar
        self._lines: list[str] | None = None

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = _BREAK.split(self.text)
        return self._lines

    def at(self, mark) -> Pos:
        return Pos(self.file, mark.line + 1, mark.column + 1)

    def coll_pos(self, mark, tag) -> Pos:
        """Where a mapping or sequence starts, past any tag written before it."""
        if tag.__class__ is slice and tag.step:  # no tag written (not even '!')
            return self.at(mark)
        lines = self.lines
        line, col = _skip_props(lines, mark.line, mark.column, (len(lines), 0))
        return Pos(self.file, line + 1, col + 1)

    # -- composing

    def compose(self):
        loader = yaml.CSafeLoader(self.text)
        # Called around every node: bound the depth before libyaml's C recursion goes deep.
        spare = [None] * (MAX_DEPTH + 2)
        pop = spare.pop

        def descend(parent, index):
            pop()  # IndexError past the limit

        loader.descend_resolver = descend
        loader.ascend_resolver = functools.partial(spare.append, None)
        # Tags are resolved here, not by PyYAML: an implicit tag comes back as
        # slice(kind, value, implicit), a written one as its text.
        loader.resolve = slice
        try:
            return loader.get_single_node()
        except Exception as exc:
            raise _Fallback from exc
        finally:
            with contextlib.suppress(Exception):
                loader.dispose()

    # -- values

    def load(self) -> tuple[object | None, list[Diagnostic]]:
        root = self.compose()
        if root is None:
            return None, [Diagnostic("SP103", _("the file holds only comments"), self.file,
                                     hint=_("write the YAML data into the file"))]
        if (root.__class__ is ScalarNode and root.tag.__class__ is slice and root.tag.step[0]
                and root.value == "" and not root.style):
            return None, [Diagnostic("SP103", _("the file's document is empty"), self.file,
                                     hint=_("write the YAML data into the file"))]
        value = self.scalar(root) if root.__class__ is ScalarNode else self.collection(root, 0)
        diags = _sorted(self.diags)
        if any(d.code in _FATAL for d in diags):
            value = None
        return value, diags

    def collection(self, node, depth: int) -> Any:
        if depth >= MAX_DEPTH:
            raise _Fallback
        tag = node.tag
        is_seq = node.__class__ is SequenceNode
        if tag.__class__ is not slice and tag != (_SEQ if is_seq else _MAP):
            self.refuse(tag, node.start_mark)
            return None
        depth += 1
        scalar, collection, file = self.scalar, self.collection, self.file
        # Inlined below, the usual scalar: plain text with no tag, which no implicit resolver
        # can take for a number, a boolean or null (its first character rules them all out).
        text = self.text if self.bang else None  # then a '!' tag may hide behind plain text
        if is_seq:
            seq = _list_new(LocList)
            append = seq.append
            for item in node.value:
                if item.__class__ is ScalarNode:
                    value = item.value
                    m = item.start_mark
                    if (not item.style and value[:1] not in _IMPLICIT
                            and item.tag.__class__ is slice
                            and (text is None or text[m.index] != "!")):
                        item = _str_new(LocStr, value)
                        item._lazy = (file, m.line + 1, m.column + 1, None)
                        append(item)
                    else:
                        append(scalar(item))
                else:
                    append(collection(item, depth))
            # Positions are made when asked for; keep the marks, not the nodes.
            seq._lazy = (self, node.start_mark, tag, [item.start_mark for item in node.value])
            return seq
        out = _dict_new(LocDict)
        marks: list[tuple[Any, Any]] = []  # (key mark, value mark) of each entry kept
        keep = marks.append
        key_of = self.key
        key: LocStr | None
        for knode, vnode in node.value:
            km = knode.start_mark
            if knode.__class__ is ScalarNode and not knode.style and knode.value \
                    and knode.value != "<<" and knode.tag.__class__ is slice \
                    and (text is None or text[km.index] != "!"):
                # Any scalar key is its source text: `on:` is "on", `1:` is "1".
                key = _str_new(LocStr, knode.value)
                key._lazy = (file, km.line + 1, km.column + 1, None)
            else:
                key = key_of(knode)
            if vnode.__class__ is ScalarNode:
                value = vnode.value
                m = vnode.start_mark
                if (not vnode.style and value[:1] not in _IMPLICIT
                        and vnode.tag.__class__ is slice
                        and (text is None or text[m.index] != "!")):
                    value = _str_new(LocStr, value)
                    value._lazy = (file, m.line + 1, m.column + 1, None)
                else:
                    value = scalar(vnode)
            else:
                value = collection(vnode, depth)
            if key is None:
                continue
            if key in out:
                first = marks[list(out).index(key)][0]
                self.diags.append(diag(
                    "SP105", _("the key '{key}' appears twice in this mapping").format(
                        key=_clip(key)), self.at(knode.start_mark),
                    hint=_("'{key}' is first written on line {line}; remove or rename one of "
                           "them").format(key=_clip(key), line=first.line + 1)))
                continue
            out[key] = value
            keep((km, vnode.start_mark))
        out._lazy = (self, node.start_mark, tag, list(out), marks)
        return out

    def _props(self, node) -> bool:
        """An anchor (never here) or a tag is written before the scalar's text."""
        tag = node.tag
        if tag.__class__ is not slice:
            return True
        if not (self.bang and tag.step[0]):
            return False
        index = node.start_mark.index
        return index < len(self.text) and self.text[index] == "!"

    def locstr(self, node, value: str, props: bool) -> LocStr:
        m = node.start_mark
        style = node.style
        line, col = m.line, m.column
        if props or style:
            if props:
                e = node.end_mark
                line, col = _skip_props(self.lines, line, col, (e.line, e.column))
            if style == "'" or style == '"':
                col += 1
            elif style == "|" or style == ">":
                e = node.end_mark
                line, col = _block_start(self.lines, line, col, (e.line, e.column))
        s = _str_new(LocStr, value)
        s._lazy = (self.file, line + 1, col + 1, style or None)
        return s

    def scalar(self, node) -> Any:
        tag = node.tag
        value = node.value
        if tag.__class__ is slice:  # resolved implicitly
            plain = tag.step[0]
            tag = _STR
            if plain:
                for t, rx in _IMPLICIT.get(value[:1], ()):
                    if rx.match(value):
                        tag = t
                        break
            if (tag is _STR or tag is _TIMESTAMP or tag is _MERGE or tag is _VALUE
                    or (":" in value and (tag is _INT or tag is _FLOAT))):
                # Dates stay text; so do YAML 1.1 base-60 numbers (`12:30` is not 750).
                return self.locstr(node, value, plain and self.bang and self._props(node))
            if tag is _NULL:
                return None
            if tag is _BOOL:
                return _BOOLS[value.lower()]
            if tag is _INT and _DIGITS.issuperset(value) and (value[0] != "0" or value == "0") \
                    and len(value) <= 15:
                return int(value)
        elif tag in (_STR, _TIMESTAMP):
            return self.locstr(node, value, True)
        maker = _MAKERS.get(tag)
        if maker is None:
            self.refuse(tag, node.start_mark)
            return None
        try:
            return _make(tag, value)
        except Exception as exc:
            text = self.locstr(node, value, self._props(node))
            self.diags.append(diag(
                "SP104", _scalar_problem(exc, value, tag), text.pos,
                hint=_("fix the value, or quote it to keep it as text")))
            return None

    def key(self, knode) -> LocStr | None:
        if knode.__class__ is not ScalarNode:
            self.diags.append(diag(
                "SP109", _("a mapping key must be text, not a list")
                if knode.__class__ is SequenceNode
                else _("a mapping key must be text, not a mapping"), self.at(knode.start_mark),
                hint=_("write the key as plain text, e.g. 'name: value'")))
            return None
        tag = knode.tag
        value = knode.value
        if tag.__class__ is slice:
            plain = tag.step[0]
            if plain and value == "<<":
                self.diags.append(diag(
                    "SP108", _("merge keys (<<) are not supported"), self.at(knode.start_mark),
                    hint=_("write the keys out in this mapping instead of merging them in")))
                return None
            props = plain and self.bang and self._props(knode)
        elif tag not in _SCALAR_TAGS:
            self.refuse(tag, knode.start_mark)
            return None
        else:
            props = True
        if not value and not knode.style:
            self.diags.append(diag(
                "SP109", _("a mapping key is empty"), self.at(knode.start_mark),
                hint=_("write a name before the ':'")))
            return None
        # Any scalar key is its source text: `on:` is "on", `1:` is "1", `null:` is "null".
        return self.locstr(knode, value, props)

    def refuse(self, tag: str, mark) -> None:
        self.diags.append(diag(
            "SP106", _("the tag {tag} is refused: only plain data (text, numbers, true/false, "
                       "null, lists and mappings) is allowed").format(tag=_short_tag(tag)),
            self.at(mark), hint=_("remove the tag and write the value as plain data")))


# ---------------------------------------------------------------------------- entry points

def load_yaml_file(path: str | os.PathLike,
                   display_name: str | None = None) -> tuple[object | None, list[Diagnostic]]:
    """Read and load a YAML file; `display_name` is the name used in diagnostics."""
    try:
        name = display_name if display_name is not None else os.fspath(path)
        if not isinstance(name, str):
            name = os.fsdecode(name)
    except Exception:
        name = repr(path)
    try:
        if os.path.isdir(path):
            raise IsADirectoryError(path)
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None, [Diagnostic("SP101", _("cannot read '{file}': it is not a regular file "
                                               "(a pipe or a device)").format(file=name), name,
                                     hint=_("give the path of a .yaml file"))]
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with open(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(fd).st_mode):          # swapped since the check
                raise OSError(0, "it is not a regular file")
            data = handle.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            return None, [Diagnostic("SP101", _("cannot read '{file}': it is larger than {n} "
                                               "MB").format(file=name, n=MAX_FILE_BYTES >> 20),
                                     name, hint=_("is it the right file? split a scenario with "
                                                  "include:"))]
    except FileNotFoundError:
        return None, [Diagnostic("SP101", _("cannot read '{file}': there is no such file").format(
            file=name), name, hint=_("check the path and the spelling of the file name"))]
    except IsADirectoryError:
        return None, [Diagnostic("SP101", _("cannot read '{file}': it is a folder, not a "
                                           "file").format(file=name),
                                 name, hint=_("give the path of a .yaml file"))]
    except PermissionError:
        return None, [Diagnostic("SP101", _("cannot read '{file}': permission denied").format(
            file=name), name, hint=_("check that your user may read the file"))]
    except (OSError, ValueError, TypeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        return None, [Diagnostic("SP101", _("cannot read '{file}': {reason}").format(
            file=name, reason=reason), name, hint=_("check the path"))]
    return load_yaml_text(data, name)


def load_yaml_text(data: str | bytes,
                   filename: str = "<input>") -> tuple[object | None, list[Diagnostic]]:
    """Load YAML text (bytes must be UTF-8; a BOM is fine). Never raises."""
    try:
        with gc_paused():
            return _load(data, filename)
    except Exception as exc:  # a last resort: the caller gets a diagnostic, not a traceback
        return None, [Diagnostic("SP104", _("the YAML could not be read ({problem})").format(
            problem=f"{type(exc).__name__}: {_clip(str(exc), 120)}"), filename, 1, 1,
                                 hint=_("check the file around its first lines"))]


@contextlib.contextmanager
def gc_paused():
    """No cyclic garbage collection inside (nested uses are fine).

    Loading makes hundreds of thousands of objects and no reference cycles; the collector
    would walk them again and again as they pile up, which costs more than the loading
    itself. Afterwards, what survives goes straight to the oldest generation (freeze then
    unfreeze: no walk), where the next full collection will see it as usual."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:  # leave alone objects someone else froze on purpose
            gc.freeze()
            gc.unfreeze()
        gc.enable()


def _decode(data: bytes, filename: str) -> str | Diagnostic:
    """The text of the file, or the SP102 that says where it stops being UTF-8."""
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        return data[bom:].decode("utf-8")
    except UnicodeDecodeError as err:
        offset = bom + err.start
        before = data[bom:offset].decode("utf-8")  # valid: the first bad byte is at offset
        breaks = list(_BREAK.finditer(before))
        line = len(breaks) + 1
        col = len(before) - (breaks[-1].end() if breaks else 0) + 1
        return Diagnostic(
            "SP102", _("the file is not valid UTF-8: byte {byte} at byte offset {offset} (line "
                       "{line})").format(byte=f"0x{data[offset]:02x}", offset=offset, line=line),
            filename, line, col,
            hint=_("save the file as UTF-8"))


def _load(data: str | bytes, filename: str) -> tuple[object | None, list[Diagnostic]]:
    if isinstance(data, (bytes, bytearray, memoryview)):
        decoded = _decode(bytes(data), filename)
        if isinstance(decoded, Diagnostic):
            return None, [decoded]
        text = decoded
    else:
        text = str(data)
    if text.startswith("\ufeff"):
        text = text[1:]

    if not text.strip(" \t\r\n\x85\u2028\u2029"):
        return None, [Diagnostic("SP103", _("the file is empty"), filename,
                                 hint=_("write the YAML data into the file"))]

    bad = None
    if not text.isascii() or text.encode("ascii").translate(None, _PRINTABLE_ASCII):
        bad = _NON_PRINTABLE.search(text)  # only then: the search is slower
    if bad is not None:
        char = bad.group()
        return None, [diag(
            "SP104", _("the character {code} is not allowed in YAML").format(
                code=f"U+{ord(char):04X}"),
            _Reader(text, filename).index_to_pos(bad.start()),
            hint=_("remove this character: control characters (often pasted in by accident) "
                   "and broken characters are not allowed in YAML"))]

    # (A second byte-order mark would be skipped by libyaml without a count, and the fast
    # path finds tags by the marks' character index.)
    if _FAST and _Loader is getattr(yaml, "CSafeLoader", None) and (
            "&" not in text or not _MAYBE_ANCHOR.search(text)) and not text.startswith("\ufeff"):
        try:
            return _Fast(text, filename).load()
        except Exception:  # _Fallback (or anything unforeseen): the event-driven path decides
            pass

    reader = _Reader(text, filename)
    loader = _Loader(text)
    from_libyaml = not isinstance(loader, yaml.SafeLoader)
    root = None
    try:
        root = reader.compose(loader)
    except _Abort as abort:
        reader.diags.append(abort.diagnostic)
        return None, _sorted(reader.diags)
    except yaml.YAMLError as err:
        reader.diags.append(reader.syntax_diag(err, from_libyaml))
        return None, _sorted(reader.diags)
    except RecursionError:
        reader.diags.append(diag("SP107", _("the data is nested too deeply"), Pos(filename, 1, 1)))
        return None, _sorted(reader.diags)
    finally:
        with contextlib.suppress(Exception):
            loader.dispose()

    if root is None:
        return None, [Diagnostic("SP103", _("the file holds only comments"), filename,
                                 hint=_("write the YAML data into the file"))]
    if (isinstance(root, _Scalar) and not root.explicit and root.tag == _NULL
            and root.value == "" and root.style is None):
        return None, _sorted(reader.diags + [Diagnostic(
            "SP103", _("the file's document is empty"), filename,
            hint=_("write the YAML data into the file"))])

    try:
        value = reader.build(root)
    except _Abort as abort:
        reader.diags.append(abort.diagnostic)
        value = None
    except RecursionError:
        reader.diags.append(diag("SP107", _("the data is nested too deeply"), Pos(filename, 1, 1)))
        value = None
    diags = _sorted(reader.diags)
    if any(d.code in _FATAL for d in diags):
        value = None
    return value, diags


def _sorted(diags: list[Diagnostic]) -> list[Diagnostic]:
    """By place, each problem once (an alias can lead to the same node many times)."""
    return sorted(dict.fromkeys(diags), key=lambda d: (d.line, d.col))
