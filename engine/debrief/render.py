"""Render the debrief's content models (after-action report, comparison) through Jinja2.

One content model, two templates each: Markdown (`*.md`) and HTML (`*.html`, autoescaped;
self-contained: inline CSS and SVG, no scripts, prints on A4). Templates live in
`engine/debrief/templates` and ship in the wheel.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from engine.i18n import _, ngettext


def md_text(text: Any) -> str:
    """Inline Markdown text: one line, with the characters that would format escaped.

    Underscores inside words (ids like `office_open`) are left alone: they never format.
    """
    s = " ".join(str(text).split())
    s = re.sub(r"([\\`*\[\]<|~])", r"\\\1", s)
    s = re.sub(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", r"\\_", s)
    return s


def md_cell(text: Any) -> str:
    return md_text(text) or " "


def signed(v: int) -> str:
    return f"+{v}" if v >= 0 else f"−{abs(v)}"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("engine.debrief", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "svg"), default_for_string=False,
                                     default=False),
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        undefined=StrictUndefined, extensions=["jinja2.ext.i18n"])
    # {% trans %} blocks in the current interface language, looked up at render time (so one
    # cached environment serves every language); babel.cfg extracts with the same options
    env.policies["ext.i18n.trimmed"] = True
    # (install_gettext_callables is added to the environment by the i18n extension)
    env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda message: _(message), lambda one, many, n: ngettext(one, many, n),
        newstyle=True)
    env.filters.update(md=md_text, mdcell=md_cell, signed=signed)
    return env


def render(template: str, **context: Any) -> str:
    text = environment().get_template(template).render(**context)
    if template.endswith(".md"):
        text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    return text
