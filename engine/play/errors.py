"""The errors a session raises; every message is for the facilitator, never a traceback."""

from __future__ import annotations


class SessionError(Exception):
    """An action that cannot be taken now; the message is for the facilitator."""


class LogWriteError(SessionError):
    """An action was NOT recorded: writing its line to the log failed (a full disk, a removed
    drive). The log was put back to its last complete line and the session's state is as it
    was before the action, so the same action can be taken again once the cause is fixed."""


class LogLockedError(SessionError):
    """Another program (or another window) already has this session log open for writing."""
