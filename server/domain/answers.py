"""Answering a request: one rule for follow requests, group invitations and requests to join.

Answering again the same way is harmless (the same answer comes back); changing an answer that
was already given is a conflict.
"""

from __future__ import annotations

from server.errors import Conflict


def status_for(accept: bool) -> str:
    return "accepted" if accept else "declined"


def needs_answer(current: str, wanted: str, *, what: str) -> bool:
    """True when a pending request takes `wanted`; False when it already has it; a Conflict
    when it was answered the other way."""
    if current == wanted:
        return False
    if current != "pending":
        raise Conflict(f"This {what} was already {current}.")
    return True
