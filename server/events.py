"""The bus's vocabulary: every fact that a write (or a socket) publishes for the routers of every
process, named once here and used by every sender and receiver (parsec's backend_events).

Events say what happened, not how to show it: the realtime layer decides which sockets hear of
an event and builds their frames (server/realtime/protocol.py). Each event is a frozen dataclass
with a wire name; `to_json` and `from_json` carry it through the bus (a NOTIFY payload, a Redis
message). Data the client will see travels already shaped (server/shapes.py), so a router needs
no query to build a frame.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, fields
from typing import Any, ClassVar

__all__ = [
    "BlockChanged",
    "CommentCounts",
    "CommentDeleted",
    "CommentEdited",
    "CommentPublished",
    "Event",
    "EventAnswered",
    "FollowChanged",
    "MembershipChanged",
    "MessageStored",
    "Notified",
    "PostCounts",
    "PostDeleted",
    "PostEdited",
    "PostEvent",
    "PostPublished",
    "PresenceChanged",
    "PresenceSnapshot",
    "PresenceSyncRequested",
    "ReadMarkerMoved",
    "SessionEnded",
    "SessionsEnded",
    "Typing",
    "BROADCAST",
    "channels",
    "from_json",
    "group_channel",
    "user_channel",
]

_BY_NAME: dict[str, type[Event]] = {}
# Fields whose wire form is a JSON array and whose Python form is a tuple.
_TUPLE_FIELDS: dict[type, frozenset[str]] = {}


class Event:
    """A fact on the bus. Subclasses are frozen dataclasses registered with `@_event(name)`."""

    __slots__ = ()
    name: ClassVar[str]

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"op": self.name}
        for field_name in self.__match_args__:  # type: ignore[attr-defined]
            value = getattr(self, field_name)
            data[field_name] = list(value) if isinstance(value, tuple) else value
        return data


def _event(name: str):
    def register(cls: type[Event]) -> type[Event]:
        cls = dataclass(frozen=True, slots=True)(cls)
        cls.name = name
        hints = typing.get_type_hints(cls)
        _TUPLE_FIELDS[cls] = frozenset(
            f.name for f in fields(cls) if typing.get_origin(hints[f.name]) is tuple
        )
        _BY_NAME[name] = cls
        return cls

    return register


def from_json(data: object) -> Event:
    """The event a decoded wire object stands for; ValueError for anything else."""
    if not isinstance(data, dict):
        raise ValueError("an event is a JSON object")
    cls = _BY_NAME.get(data.get("op"))  # type: ignore[arg-type]
    if cls is None:
        raise ValueError(f"unknown event {data.get('op')!r}")
    values = {key: value for key, value in data.items() if key != "op"}
    for name in _TUPLE_FIELDS[cls]:
        if isinstance(values.get(name), list):
            values[name] = tuple(values[name])
    try:
        return cls(**values)
    except TypeError as error:
        raise ValueError(f"malformed {cls.name} event: {error}") from None


# --- chat ----------------------------------------------------------------------------------------


@_event("message")
class MessageStored(Event):
    """A chat message was stored: its columns, as the writer's own statement publishes them
    (server/db/messages.py), `created_at` already in API.md's form. Its `<message>` depends on
    the reader (a direct conversation is named by the other person): the router shapes it."""

    id: int
    sender_id: int
    recipient_id: int | None
    group_id: int | None
    body: str
    client_msg_id: str | None
    created_at: str
    sender_first_name: str
    sender_last_name: str
    sender_nickname: str | None
    sender_avatar_id: int | None
    # The sending socket, which gets an ack instead of a copy.
    skip: str | None = None

    def as_row(self) -> dict:
        """Its columns by name, as server/shapes.py reads a message row."""
        return {name: getattr(self, name) for name in self.__match_args__}


@_event("read")
class ReadMarkerMoved(Event):
    """A user read a conversation up to a message: their other sockets update unread counts."""

    user_id: int
    kind: str  # "direct" | "group"
    conversation_id: int
    up_to: int
    skip: str | None = None


@_event("typing")
class Typing(Event):
    """Someone is typing: to the other person of a direct conversation, or to a group's room."""

    user: dict  # the typist's user card
    kind: str  # "direct" | "group"
    target_id: int  # the recipient (direct) or the group
    skip: str | None = None


# --- notifications and groups --------------------------------------------------------------------


@_event("notification")
class Notified(Event):
    """A notification of `user_id` was created or changed (a request it is about was answered)."""

    user_id: int
    notification: dict  # its `<notification>`
    unread_count: int


@_event("event_answer")
class EventAnswered(Event):
    """A member answered a group event: the counts, for the members' open event lists."""

    group_id: int
    event: dict  # {id, group_id, going_count, not_going_count}
    user_id: int
    response: str


@_event("membership")
class MembershipChanged(Event):
    """A user joined or left a group: routers keep their group fan-out right."""

    group_id: int
    user_id: int
    member: bool


# --- posts and comments --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PostEvent(Event):
    """An event about a post, carrying what a router needs to decide, without a query, who may
    see the post (server/db/visibility.py, PostFacts): its author, its group, its privacy and,
    for a private post, the followers its author picked (at most 1,000)."""

    post_id: int
    author_id: int
    group_id: int | None
    privacy: str
    viewer_ids: tuple[int, ...]


@_event("post_published")
class PostPublished(PostEvent):
    """A new post, for the feeds it belongs to. `post` is its `<post>` without my_reaction,
    which each reader keeps for themself."""

    post: dict
    author_public: bool  # whether the author's profile is public (their profile's feed)


@_event("post_edited")
class PostEdited(PostEvent):
    """A post was edited; `was_privacy` and `was_viewer_ids` say who could see it before, so
    that those who lose sight of it hear that it is gone."""

    post: dict
    was_privacy: str
    was_viewer_ids: tuple[int, ...]


@_event("post_deleted")
class PostDeleted(PostEvent):
    """A post was deleted (its comments with it)."""


@_event("post_counts")
class PostCounts(PostEvent):
    """A post's comment count or reaction counts changed."""

    comments_count: int
    reactions: dict


@_event("comment_published")
class CommentPublished(PostEvent):
    comment: dict  # its `<comment>` without my_reaction
    comment_author_id: int


@_event("comment_edited")
class CommentEdited(PostEvent):
    comment: dict
    comment_author_id: int


@_event("comment_deleted")
class CommentDeleted(PostEvent):
    comment_id: int
    comment_author_id: int


@_event("comment_counts")
class CommentCounts(PostEvent):
    """A comment's reaction counts changed."""

    comment_id: int
    comment_author_id: int
    reactions: dict


# --- follows and blocks: what routers know of the users who watch ------------------------------


@_event("follow")
class FollowChanged(Event):
    """An accepted follow began or ended."""

    follower_id: int
    followee_id: int
    following: bool


@_event("block")
class BlockChanged(Event):
    """A block began or ended (never told to the blocked person: routers only use it to decide
    what each socket may hear)."""

    blocker_id: int
    blocked_id: int
    blocked: bool


# --- sockets and sessions ------------------------------------------------------------------------


@_event("presence")
class PresenceChanged(Event):
    """A socket of `user_id` opened (+1) or closed (-1) on `process`; `contacts` are the people
    who may see it (whom they follow or are followed by), every one of them, online or not."""

    user_id: int
    delta: int
    contacts: tuple[int, ...]
    process: str


@_event("presence_snapshot")
class PresenceSnapshot(Event):
    """Every socket open on `process`, as the user id of each (a user with two tabs there
    appears twice): published now and then, and when asked, so every router rebuilds its
    counts from the truth instead of letting them drift."""

    process: str
    users: tuple[int, ...]


@_event("presence_sync")
class PresenceSyncRequested(Event):
    """A router lost count (its bus connection dropped): every process publishes its snapshot."""

    process: str


@_event("session_ended")
class SessionEnded(Event):
    """A session ended (logout, a newer login in the same browser): its sockets close."""

    session_id: int


@_event("sessions_ended")
class SessionsEnded(Event):
    """Every session of `user_id` ended but `keep` (a password change keeps the session that
    made it; a reset or an account deletion keeps none): their sockets close."""

    user_id: int
    keep: int | None = None


# --- where each event travels on a bus of channels (Redis) ---------------------------------------
#
# A process subscribes to the channel of each user with a socket open there (`u:<id>`) and of
# each group with a member online there (`g:<id>`), and to the one broadcast channel. In a Redis
# Cluster each channel hashes to a shard (SSUBSCRIBE / SPUBLISH), so the traffic of users and
# groups spreads over the shards and a process receives only what its sockets need. What
# concerns every process travels on BROADCAST: presence (every router counts every user's
# sockets so that a socket opening learns which of its contacts are online without a query),
# the end of a session (every process forgets it from its session cache, sockets or not), and the
# posts outside groups (whose watchers may be anywhere: Home, Explore, a profile, a post page;
# the router of each process decides in memory who here may see them). A group's posts travel on
# the group's channel. The Postgres engine has one channel and ignores this.

BROADCAST = "all"


def user_channel(user_id: int) -> str:
    return f"u:{user_id}"


def group_channel(group_id: int) -> str:
    return f"g:{group_id}"


def channels(event: Event) -> tuple[str, ...]:
    """The channels `event` is published on: the channel of every user or group it reaches."""
    match event:
        case MessageStored(group_id=None, recipient_id=recipient, sender_id=sender):
            return (user_channel(recipient), user_channel(sender))  # type: ignore[arg-type]
        case MessageStored(group_id=group_id) | EventAnswered(group_id=group_id):
            return (group_channel(group_id),)  # type: ignore[arg-type]
        case PostEvent(group_id=None):
            return (BROADCAST,)
        case PostEvent(group_id=group_id):
            return (group_channel(group_id),)  # type: ignore[arg-type]
        case FollowChanged(follower_id=follower, followee_id=followee):
            return (user_channel(follower), user_channel(followee))
        case BlockChanged(blocker_id=blocker, blocked_id=blocked):
            return (user_channel(blocker), user_channel(blocked))
        case Typing(kind="group", target_id=group_id):
            return (group_channel(group_id),)
        case Typing(target_id=user_id):
            return (user_channel(user_id),)
        case Notified(user_id=user_id) | ReadMarkerMoved(user_id=user_id):
            return (user_channel(user_id),)
        case MembershipChanged(group_id=group_id, user_id=user_id):
            # The user's processes apply it to their sockets; the group's channel carries it
            # in order with the group's own events (server/realtime/router.py).
            return (user_channel(user_id), group_channel(group_id))
        case (
            PresenceChanged()
            | PresenceSnapshot()
            | PresenceSyncRequested()
            | SessionEnded()
            | SessionsEnded()
        ):
            return (BROADCAST,)
    raise ValueError(f"no channel for {event!r}")
