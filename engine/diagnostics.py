"""Located problems found in scenario and log files.

Every problem the engine reports to an author is a `Diagnostic`: a stable code, a message,
the place (`file:line:col`, 1-based) and a hint saying how to fix it. Codes are listed in
`CODES` with one line each; `docs/AUTHORING.md` carries the same table (a test checks).
"""

from __future__ import annotations

import attrs

from engine.i18n import _

ERROR = "error"
WARNING = "warning"

# One line per code. Grouped by hundreds: 1xx YAML files, 2xx structure, 3xx names and
# references, 4xx expressions and types, 5xx scenario logic, 6xx logs and sessions.
CODES: dict[str, str] = {
    "SP101": "the file cannot be read (missing, a directory, or permission denied)",
    "SP102": "the file is not valid UTF-8",
    "SP103": "the file is empty or holds only comments",
    "SP104": "YAML syntax error",
    "SP105": "a key appears twice in the same mapping",
    "SP106": "a YAML tag that is not plain data (e.g. !!python/object) — refused for safety",
    "SP107": "too many aliases or nodes (an alias bomb?) — refused to bound time and memory",
    "SP108": "merge keys (<<) are not supported; write the keys out",
    "SP109": "a mapping key that is not a string",
    "SP110": "more than one YAML document in a file",
    "SP201": "unknown key",
    "SP202": "a required key is missing",
    "SP203": "a value has the wrong type",
    "SP204": "a value is not one of the allowed choices",
    "SP205": "a date is not YYYY, YYYY-MM or YYYY-MM-DD, or is not a real day",
    "SP206": "an id is not snake_case (^[a-z][a-z0-9_]*$)",
    "SP207": "unsupported format version",
    "SP208": "a list that must not be empty is empty",
    "SP209": "a format-2 construct in a version-1 file",
    "SP301": "an id is defined twice",
    "SP302": "a reference to an undefined event",
    "SP303": "a reference to an undefined actor",
    "SP304": "a reference to an undefined source",
    "SP305": "an include or catalogue path is absolute, leaves the scenario's folder tree "
             "(a catalogue: the folder above it), or is not a .yaml file",
    "SP306": "an include or catalogue file cannot be found",
    "SP307": "includes form a cycle",
    "SP308": "a turn number outside the scenario's turns",
    "SP401": "expression syntax error",
    "SP402": "a name in an expression is not defined",
    "SP403": "an expression has the wrong type",
    "SP404": "an effect is not a valid assignment",
    "SP405": "an effect always pushes a number outside its declared range",
    "SP406": "an initial value does not fit the variable's type",
    "SP407": "an enum or set value is not declared",
    "SP408": "a derived variable is assigned to, or derived from another derived variable",
    "SP409": "a {placeholder} in a narrative names no state variable (format 2)",
    "SP501": "an option's success/failure effects need an adjudication on its branch",
    "SP502": "a branch has an adjudication but no option uses it",
    "SP503": "dice are not in NdM form (e.g. 2d6), or more than the limits allow",
    "SP504": "turn dates are not in order",
    "SP505": "a catalogue source is never cited (catalogue files only)",
    "SP506": "a branch can never be played (found by exploration)",
    "SP507": "a turn in which nothing can be played (found by exploration)",
    "SP508": "a variable rests on an event its initial value never reads (format 2)",
    "SP509": ("cells: an actor in two cells, sealed moves without cells, or a strength scale "
              "that is empty or repeats a label"),
    "SP510": ("a graded roll's results overlap, leave a gap, or misplace min/max; or an "
              "option's outcomes do not fit its branch's roll"),
    "SP511": "a roll that can never succeed, or a result no total can reach",
    "SP512": ("an opposed roll (against) with a target or results, without its ties "
              "declared, or ties without against"),
    "SP513": ("a chance inject's probability is not a fraction or decimal from 0 to 1, or "
              "the inject has no turn to be drawn in"),
    "SP601": "the log cannot be read",
    "SP602": "a log line is not valid JSON (a torn last line is recovered)",
    "SP603": "the log's hash chain is broken — the log was edited",
    "SP606": "the log's format version is not supported",
    "SP801": "a string table is malformed (a wrong key, type or language)",
    "SP802": "a string table names a text the scenario does not have, or the wrong file's",
    "SP803": "a text has no translation in the language's string table",
    "SP804": "a translation is stale: its source text changed since it was translated",
}


@attrs.frozen
class Diagnostic:
    code: str
    message: str
    file: str = "<input>"
    line: int = 0
    col: int = 0
    hint: str | None = None
    severity: str = ERROR

    def __attrs_post_init__(self) -> None:
        if self.code not in CODES:  # a programming error, not a user one
            raise ValueError(f"unregistered diagnostic code {self.code}")

    @property
    def location(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.col}"
        return self.file

    def format(self) -> str:
        if self.severity == ERROR:
            text = _("{location}: {code} {message}")
        else:
            text = _("{location}: {code} warning: {message}")
        text = text.format(location=self.location, code=self.code, message=self.message)
        if self.hint:
            text += "\n    " + _("hint: {hint}").format(hint=self.hint)
        return text


@attrs.frozen
class Pos:
    """A 1-based place in a file."""

    file: str
    line: int
    col: int

    def shifted(self, chars: int) -> Pos:
        return Pos(self.file, self.line, self.col + chars)


def diag(code: str, message: str, pos: Pos | None = None, hint: str | None = None,
         severity: str = ERROR) -> Diagnostic:
    if pos is None:
        return Diagnostic(code, message, hint=hint, severity=severity)
    return Diagnostic(code, message, pos.file, pos.line, pos.col, hint, severity)


def closest(word: str, candidates) -> str | None:
    """The candidate `word` is most likely a misspelling of, or None."""
    import difflib

    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(word: str, candidates) -> str | None:
    """A "did you mean" hint for a misspelt key or name, or None."""
    close = closest(word, candidates)
    return _("did you mean '{name}'?").format(name=close) if close else None


class DiagnosticError(Exception):
    """Raised with one or more diagnostics when input cannot be used."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(d.format() for d in self.diagnostics))
