"""Where each event travels on a bus of channels (server/events.py, `channels`): every user or
group it reaches has its channel named, and nothing else does."""

from __future__ import annotations

import pytest

from server import events
from server.events import BROADCAST

# A post's facts (post_id, author_id, group_id, privacy, viewer_ids): outside groups, posts may
# be watched anywhere (the broadcast channel); a group's travel on the group's channel.
PUBLIC = (1, 7, None, "public", ())
IN_GROUP = (1, 7, 3, "public", ())
CARD = {"id": 7, "first_name": "A", "last_name": "B", "nickname": None, "avatar_id": None}


def message(**changes) -> events.MessageStored:
    values = dict(
        id=1, sender_id=7, recipient_id=8, group_id=None, body="hi", client_msg_id=None,
        created_at="2026-01-01T00:00:00Z", sender_first_name="A", sender_last_name="B",
        sender_nickname=None, sender_avatar_id=None,
    )  # fmt: skip
    return events.MessageStored(**{**values, **changes})


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (message(), ("u:8", "u:7")),
        (message(recipient_id=None, group_id=3), ("g:3",)),
        (events.ReadMarkerMoved(7, "direct", 8, 1), ("u:7",)),
        (events.Typing(CARD, "direct", 8), ("u:8",)),
        (events.Typing(CARD, "group", 3), ("g:3",)),
        (events.Notified(8, {"id": 1}, 1), ("u:8",)),
        (events.EventAnswered(3, {"id": 1}, 7, "going"), ("g:3",)),
        (events.MembershipChanged(3, 7, member=True), ("u:7", "g:3")),
        (events.PresenceChanged(7, 1, (8, 9), "p"), (BROADCAST,)),
        (events.PresenceSnapshot("p", (7, 7)), (BROADCAST,)),
        (events.PresenceSyncRequested("p"), (BROADCAST,)),
        (events.SessionEnded(5), (BROADCAST,)),
        (events.SessionsEnded(7, keep=5), (BROADCAST,)),
        (events.PostPublished(*PUBLIC, post={"id": 1}, author_public=True), (BROADCAST,)),
        (events.PostPublished(*IN_GROUP, post={"id": 1}, author_public=True), ("g:3",)),
        (
            events.PostEdited(*PUBLIC, post={"id": 1}, was_privacy="private", was_viewer_ids=(8,)),
            (BROADCAST,),
        ),
        (events.PostDeleted(*IN_GROUP), ("g:3",)),
        (events.PostCounts(*PUBLIC, comments_count=1, reactions={}), (BROADCAST,)),
        (events.CommentPublished(*IN_GROUP, comment={"id": 2}, comment_author_id=8), ("g:3",)),
        (events.CommentEdited(*PUBLIC, comment={"id": 2}, comment_author_id=8), (BROADCAST,)),
        (events.CommentDeleted(*PUBLIC, comment_id=2, comment_author_id=8), (BROADCAST,)),
        (
            events.CommentCounts(*IN_GROUP, comment_id=2, comment_author_id=8, reactions={}),
            ("g:3",),
        ),
        (events.FollowChanged(7, 8, following=True), ("u:7", "u:8")),
        (events.BlockChanged(7, 8, blocked=True), ("u:7", "u:8")),
    ],
)
def test_each_event_travels_on_the_channels_of_whom_it_reaches(event, expected):
    assert events.channels(event) == expected


def test_every_event_type_has_its_channels():
    """A new event type must say where it goes (the test above lists one of each)."""
    named = {
        type(event)
        for event, _ in test_each_event_travels_on_the_channels_of_whom_it_reaches.pytestmark[
            0
        ].args[1]
    }
    assert named == set(events._BY_NAME.values())
