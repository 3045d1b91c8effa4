"""What in a scenario's raw YAML is prose, and the logic that is left when prose is taken out.

The logic hash that session logs pin is computed over this logic alone, so translating or
rewording a scenario (its titles, narratives, labels, the catalogue's summaries and
bibliographic details) never stops an old log from replaying (DESIGN principle 10).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

# Keys whose values are text for people, wherever they appear (state and actors are mappings
# keyed by ids and are handled by position, so a variable called `label` stays logic).
PROSE_KEYS = frozenset({
    "title", "title_ru", "title_de", "summary", "narrative", "label", "description", "text",
    "note", "issuer", "journal", "cites_as", "url", "accessed", "published", "volume", "issue",
    "pages", "year", "footnotes", "labels", "name",
})


def logic_of(data: Any, key: str | None = None) -> Any:
    """`data` (raw YAML) with its prose removed; `key` is the key it was found under."""
    if isinstance(data, dict):
        if key == "actors":                       # id → display name: the ids are logic
            return sorted(str(k) for k in data)
        if key == "state":                        # variable id → declaration
            return {str(k): logic_of(v) for k, v in data.items()}
        return {str(k): logic_of(v, str(k)) for k, v in data.items() if k not in PROSE_KEYS}
    if isinstance(data, list):
        # A branch's signposts may be bare strings: keep their number (their ids follow it).
        return ["" if key == "signposts" and isinstance(x, str) else logic_of(x) for x in data]
    return data


def logic_digest(data: Any) -> str:
    """SHA-256 of the logic of `data`, canonical JSON."""
    return hashlib.sha256(json.dumps(logic_of(data), sort_keys=True, ensure_ascii=False,
                                     default=str).encode()).hexdigest()


def short_hash(text: str) -> str:
    """The 8-hex-digit hash a string table records of the source text it translates."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
