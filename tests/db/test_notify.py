"""The NOTIFY engine's encoding: events of any size survive Postgres's 8000-byte NOTIFY limit,
and small ones share payloads."""

import json

import pytest

from server.db.notify import MAX_PAYLOAD_BYTES, Reassembler, encode
from server.events import MessageStored, Notified


def message(n: int, body: str = "hello") -> MessageStored:
    return MessageStored(
        id=n, sender_id=n, recipient_id=n + 1, group_id=None, body=body, client_msg_id=None,
        created_at="2026-11-30T12:00:00.000Z", sender_first_name="Sam", sender_last_name="Ng",
        sender_nickname=None, sender_avatar_id=None,
    )  # fmt: skip


def feed_all(payloads: list[str]) -> list:
    reassembler = Reassembler()
    return [event for payload in payloads for event in reassembler.feed(payload)]


def test_small_events_travel_whole():
    event = Notified(1, {"id": 1}, unread_count=2)
    (payload,) = encode([event])
    assert Reassembler().feed(payload) == [event]


def test_small_events_share_payloads_in_order_and_within_the_limit():
    events = [message(n, body="x" * 300) for n in range(100)]
    payloads = encode(events)
    assert 1 < len(payloads) < 10
    assert all(len(p.encode()) <= MAX_PAYLOAD_BYTES for p in payloads)
    assert feed_all(payloads) == events


def test_large_events_travel_in_chunks_and_are_reassembled_in_any_order():
    event = message(1, body="🧗" * 2000)
    payloads = encode([event])
    assert len(payloads) > 1
    assert all(len(p.encode()) <= MAX_PAYLOAD_BYTES for p in payloads)
    reassembler = Reassembler()
    results = [reassembler.feed(p) for p in reversed(payloads)]
    assert results[:-1] == [[]] * (len(payloads) - 1)
    assert results[-1] == [event]


def test_a_large_event_between_small_ones_keeps_its_place():
    events = [message(1), message(2, body="🧗" * 2000), message(3)]
    assert feed_all(encode(events)) == events


def test_an_event_just_under_the_limit_travels_alone_and_whole():
    empty = json.dumps(message(1, body="").to_json(), separators=(",", ":"))
    filler = "x" * (MAX_PAYLOAD_BYTES - len(empty) - 10)
    event = message(1, body=filler)
    (payload,) = encode([event])
    assert len(payload.encode()) <= MAX_PAYLOAD_BYTES
    assert Reassembler().feed(payload) == [event]


@pytest.mark.parametrize(
    "payload",
    ["not json", "[1]", '{"op": "no such event"}', '{"op": "notification", "user_id": 1}', "{}"],
)
def test_a_payload_that_is_not_ours_is_refused_as_a_value_error(payload):
    with pytest.raises(ValueError):
        Reassembler().feed(payload)
