"""The interface language: which one, its message catalogue, and locale-aware numbers and dates.

Messages go through stdlib `gettext` with the catalogues under `engine/locale/<lang>/
LC_MESSAGES/spillover.mo` (extracted and compiled with Babel: see docs/AUTHORING.md,
"Translating the interface"); Babel formats numbers, percentages and dates the locale's way.

The language is the first of: `--lang`, the user's saved setting (a one-line file
`language` in the platformdirs config folder, or $SPILLOVER_CONFIG_DIR), the environment
(LC_ALL, LC_MESSAGES, LANG), English. The scenario's own text is translated separately,
by string tables (`engine.format.tables`).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import functools
import gettext
import os
import re
from pathlib import Path

DOMAIN = "spillover"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DEFAULT = "en"
LANG_RE = re.compile(r"^[a-z]{2,3}$")


def available() -> list[str]:
    """Languages the interface has a compiled catalogue for, English first."""
    found = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))
    return [DEFAULT] + [x for x in found if x != DEFAULT]


# --------------------------------------------------------------------------- the language

def config_dir() -> Path:
    override = os.environ.get("SPILLOVER_CONFIG_DIR")
    if override:
        return Path(override)
    import platformdirs
    return Path(platformdirs.user_config_dir("spillover", appauthor=False))


def saved_language() -> str | None:
    """The language the user saved, or None (an unreadable or odd file counts as none)."""
    try:
        text = (config_dir() / "language").read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return text if LANG_RE.match(text) else None


def save_language(lang: str) -> Path:
    if not LANG_RE.match(lang):
        raise ValueError(f"'{lang}' is not a language code such as en or ru")
    path = config_dir() / "language"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(lang + "\n", encoding="utf-8")
    return path


def forget_language() -> None:
    """Drop the saved setting (the environment decides again); no setting is not an error."""
    with contextlib.suppress(FileNotFoundError):
        (config_dir() / "language").unlink()


def environment_language(environ=os.environ) -> str | None:
    """The language of LC_ALL, LC_MESSAGES or LANG (the first set), e.g. 'ru' for ru_RU.UTF-8."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(var, "")
        if value:
            code = re.split(r"[_.@]", value, maxsplit=1)[0].lower()
            return code if LANG_RE.match(code) else None    # C, POSIX: no language
    return None


def resolve_language(cli: str | None = None, environ=os.environ) -> str:
    """--lang, then the saved setting, then the environment, then English."""
    for lang in (cli, saved_language(), environment_language(environ)):
        if lang:
            return lang
    return DEFAULT


# --------------------------------------------------------------------------- messages

@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The catalogue of `lang`; English (the messages as written) when there is none."""
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


class Messages:
    """One language's messages: `_(text)`, `n_(singular, plural, n)`, and the locale's
    numbers, percentages and dates."""

    def __init__(self, lang: str = DEFAULT):
        self.lang = lang
        self._t = translations(lang)

    def _(self, message: str) -> str:
        return self._t.gettext(message)

    def n_(self, singular: str, plural: str, n: int) -> str:
        return self._t.ngettext(singular, plural, n)

    @property
    def locale(self) -> str:
        from babel import Locale, UnknownLocaleError
        try:
            Locale.parse(self.lang)
            return self.lang
        except (UnknownLocaleError, ValueError):
            return DEFAULT

    def number(self, n: float) -> str:
        from babel.numbers import format_decimal
        return format_decimal(n, locale=self.locale)

    def percent(self, fraction: float) -> str:
        from babel.numbers import format_percent
        return format_percent(fraction, locale=self.locale)

    def date(self, day: _dt.date, form: str = "long") -> str:
        from babel.dates import format_date
        return format_date(day, format=form, locale=self.locale)


def N_(message: str) -> str:
    """Marks a message for extraction where it is translated later."""
    return message


# --------------------------------------------------------------------------- the current language
# One interface language per process (the TUI, a command); `language()` switches it for a
# block, e.g. to write a report in another language than the session was run in.

_current = DEFAULT


def current_language() -> str:
    return _current


def set_language(lang: str) -> None:
    global _current
    _current = lang


@contextlib.contextmanager
def language(lang: str):
    global _current
    before, _current = _current, lang
    try:
        yield
    finally:
        _current = before


def _(message: str) -> str:
    """`message` in the current language (as written when the catalogue lacks it)."""
    return translations(_current).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form for `n` in the current language: Russian has three ("1 ход, 2 хода, 5 ходов")."""
    return translations(_current).ngettext(singular, plural, n)
