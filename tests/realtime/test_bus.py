"""The bus encoding: events of any size survive Postgres's 8000-byte NOTIFY limit, and small
ones share payloads."""

import json

from server.realtime.bus import MAX_PAYLOAD_BYTES, Reassembler, deliver, encode


def message(n: int, body: str = "hello") -> dict:
    return deliver([n], {"type": "chat.message", "message": {"id": n, "body": body}})


def feed_all(payloads: list[str]) -> list[dict]:
    reassembler = Reassembler()
    return [event for payload in payloads for event in reassembler.feed(payload)]


def test_small_events_travel_whole():
    event = deliver([1, 2], {"type": "notification", "notification": {"id": 1}})
    (payload,) = encode(event)
    assert Reassembler().feed(payload) == [event]


def test_small_events_share_payloads_in_order_and_within_the_limit():
    events = [message(n, body="x" * 300) for n in range(100)]
    payloads = encode(*events)
    assert 1 < len(payloads) < 10
    assert all(len(p.encode()) <= MAX_PAYLOAD_BYTES for p in payloads)
    assert feed_all(payloads) == events


def test_large_events_travel_in_chunks_and_are_reassembled_in_any_order():
    event = message(1, body="🧗" * 2000)
    payloads = encode(event)
    assert len(payloads) > 1
    assert all(len(p.encode()) <= MAX_PAYLOAD_BYTES for p in payloads)
    reassembler = Reassembler()
    results = [reassembler.feed(p) for p in reversed(payloads)]
    assert results[:-1] == [[]] * (len(payloads) - 1)
    assert results[-1] == [event]


def test_a_large_event_between_small_ones_keeps_its_place():
    events = [message(1), message(2, body="🧗" * 2000), message(3)]
    assert feed_all(encode(*events)) == events


def test_an_event_just_under_the_limit_travels_alone_and_whole():
    filler = "x" * (MAX_PAYLOAD_BYTES - len(json.dumps(message(1, body=""))) - 10)
    event = message(1, body=filler)
    (payload,) = encode(event)
    assert len(payload.encode()) <= MAX_PAYLOAD_BYTES
    assert Reassembler().feed(payload) == [event]
