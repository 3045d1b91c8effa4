"""Signed sessions: HMAC-SHA256 over the hash chain's head, with a key kept on this machine.

A signed session names its key in the header (`signing: {alg, key}`, the key's id) and every
line carries `mac`, the HMAC of that line's hash — the head of the chain at that line, which
covers every line before it. Without the key nobody can add, change or reorder lines and keep
the MACs valid; a reader with the key can say *authentic* (every line up to the last was
written by a holder of the key) or *not authentic* (from line N). Removing lines from the end
still leaves an authentic prefix: only the end-of-session record says that nothing is missing.

Keys live in the user's config folder (`platformdirs.user_config_dir("spillover")/keys`), one
file `<id>.key` each, readable by the user only; the id is the start of the key's SHA-256.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import attrs
import platformdirs

from engine.i18n import _
from engine.play.errors import SessionError

ALG = "HMAC-SHA256"


def key_dir() -> Path:
    return Path(platformdirs.user_config_dir("spillover", appauthor=False)) / "keys"


@attrs.frozen
class Signer:
    key_id: str
    key: bytes = attrs.field(repr=False)

    def header_field(self) -> dict:
        return {"alg": ALG, "key": self.key_id}

    def mac(self, line_hash: str) -> str:
        return hmac.new(self.key, line_hash.encode("ascii"), hashlib.sha256).hexdigest()

    def __call__(self, line_hash: str) -> dict:
        """The fields a sealed line gains (see engine.play.log.seal)."""
        return {"mac": self.mac(line_hash)}

    def first_bad_line(self, records) -> int | None:
        """The 1-based line whose MAC is missing or wrong, or None when all are right."""
        for i, rec in enumerate(records, start=1):
            mac = rec.get("mac")
            if not isinstance(mac, str) or not hmac.compare_digest(
                    mac, self.mac(str(rec.get("hash")))):
                return i
        return None


def _key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:16]


def load_key(key_id: str, folder: Path | None = None) -> Signer | None:
    """The key with this id from the config folder, or None when it is not there."""
    if not isinstance(key_id, str) or not key_id.isalnum():
        return None
    path = (folder or key_dir()) / f"{key_id}.key"
    try:
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None
    return Signer(key_id, key) if _key_id(key) == key_id else None


def signing_key(folder: Path | None = None) -> Signer:
    """This machine's signing key: the oldest in the config folder, made on first use."""
    folder = folder or key_dir()
    try:
        existing = sorted(folder.glob("*.key"), key=lambda p: (p.stat().st_mtime, p.name))
    except OSError:
        existing = []
    for path in existing:
        signer = load_key(path.stem, folder)
        if signer is not None:
            return signer
    key = secrets.token_bytes(32)
    signer = Signer(_key_id(key), key)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder / f"{signer.key_id}.key", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(key.hex() + "\n")
    except OSError as e:
        raise SessionError(_("cannot keep a signing key in {folder}: {reason}").format(
            folder=folder, reason=e.strerror or e)) from None
    return signer


AUTHENTIC = "authentic"
NOT_AUTHENTIC = "not authentic"
KEY_MISSING = "key not on this machine"
UNSIGNED = "unsigned"


@attrs.frozen
class Authenticity:
    status: str                     # one of the four above
    key_id: str | None = None
    bad_line: int | None = None

    def describe(self) -> str:
        if self.status == UNSIGNED:
            return _("not signed: the hash chain shows accidental damage, but anyone can rewrite "
                     "lines and recompute it, so it does not prove who wrote the log")
        if self.status == AUTHENTIC:
            return _("signed with key {key}: authentic").format(key=self.key_id)
        if self.status == NOT_AUTHENTIC:
            return _("signed with key {key}: NOT AUTHENTIC from line {line} (its signature does "
                     "not match: the line was written or changed without the key)").format(
                key=self.key_id, line=self.bad_line)
        return _("signed with key {key}, which is not on this machine ({folder}): authenticity "
                 "not checked").format(key=self.key_id, folder=key_dir())


def check_authenticity(header: dict, records, folder: Path | None = None) -> Authenticity:
    """Whether `records` (header first) carry valid MACs for the header's key."""
    signing = header.get("signing")
    if not isinstance(signing, dict):
        return Authenticity(UNSIGNED)
    key_id = str(signing.get("key"))[:64]
    if signing.get("alg") != ALG:
        return Authenticity(NOT_AUTHENTIC, key_id, 1)
    signer = load_key(key_id, folder)
    if signer is None:
        return Authenticity(KEY_MISSING, key_id)
    bad = signer.first_bad_line(records)
    return Authenticity(AUTHENTIC if bad is None else NOT_AUTHENTIC, key_id, bad)
