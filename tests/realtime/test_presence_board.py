"""Presence counts per process: deltas move them, snapshots replace them, silence forgets."""

from server.realtime.presence_board import PresenceBoard


def test_a_user_is_online_while_any_process_counts_a_socket():
    board = PresenceBoard()
    assert board.change("a", 1, +1, now=0) is True
    assert board.change("b", 1, +1, now=0) is False
    assert board.change("a", 1, -1, now=0) is False
    assert board.is_online(1)
    assert board.change("b", 1, -1, now=0) is True
    assert not board.is_online(1)


def test_a_delta_never_takes_a_count_below_zero():
    board = PresenceBoard()
    assert board.change("a", 1, -1, now=0) is False  # a -1 whose +1 was never heard
    assert board.change("a", 1, +1, now=0) is True


def test_a_snapshot_replaces_what_was_known_of_its_process_only():
    board = PresenceBoard()
    board.change("a", 1, +1, now=0)
    board.change("a", 2, +1, now=0)
    board.change("b", 2, +1, now=0)
    board.snapshot("a", [3, 3], now=1)
    assert not board.is_online(1)
    assert board.is_online(2)  # b still counts it
    board.change("a", 3, -1, now=1)
    assert board.is_online(3)  # two sockets on a, one closed


def test_a_silent_process_is_forgotten():
    board = PresenceBoard()
    board.change("dead", 1, +1, now=0)
    board.change("alive", 2, +1, now=0)
    board.snapshot("alive", [2], now=50)
    assert board.expire(now=80, silent_for=75) == ["dead"]
    assert not board.is_online(1) and board.is_online(2)
