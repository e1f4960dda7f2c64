"""Indexes of sets (a user's sockets, a group's members online, a feed's watchers): one helper
that keeps them free of empty sets, so that memory follows what is open."""

from __future__ import annotations


def discard(index: dict, key: object, item: object) -> None:
    """Remove `item` from the set at `key`, and the key once its set is empty."""
    members = index.get(key)
    if members is not None:
        members.discard(item)
        if not members:
            del index[key]
