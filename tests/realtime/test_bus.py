"""The bus encoding: events of any size survive Postgres's 8000-byte NOTIFY limit."""

from server.realtime.bus import MAX_PAYLOAD_BYTES, Reassembler, deliver, encode


def test_small_events_travel_whole():
    event = deliver([1, 2], {"type": "notification", "notification": {"id": 1}})
    (payload,) = encode(event)
    assert Reassembler().feed(payload) == event


def test_large_events_travel_in_chunks_and_are_reassembled_in_any_order():
    event = deliver([1], {"type": "chat.message", "message": {"body": "🧗" * 2000}})
    payloads = encode(event)
    assert len(payloads) > 1
    assert all(len(p.encode()) <= MAX_PAYLOAD_BYTES for p in payloads)
    reassembler = Reassembler()
    results = [reassembler.feed(p) for p in reversed(payloads)]
    assert results[:-1] == [None] * (len(payloads) - 1)
    assert results[-1] == event
