"""Sliding-window budgets (server/ratelimit.py) on a clock the test moves: exact counts, the
wait a refusal reports, bounded memory, shares among workers, and the switch."""

from __future__ import annotations

import pytest

from server.config import Config
from server.errors import RateLimited
from server.ratelimit import CHAT_SENDS, REGISTER, WRITE, Budget, RateLimits, SlidingWindow


class Clock:
    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_the_limit_holds_in_any_window_and_a_refusal_counts_nothing():
    clock = Clock()
    window = SlidingWindow(Budget(3, 60), clock=clock)
    for _ in range(3):
        assert window.hit("a") == 0
        clock.now += 10
    assert window.hit("a") == pytest.approx(30)  # the first hit leaves the window at t=60
    assert window.hit("a") == pytest.approx(30)  # refused again: still the same wait
    clock.now += 30
    assert window.hit("a") == 0
    assert window.hit("a") == pytest.approx(10)  # now the second hit (t=10) must leave


def test_keys_are_counted_apart():
    clock = Clock()
    window = SlidingWindow(Budget(1, 60), clock=clock)
    assert window.hit("a") == 0
    assert window.hit("a") > 0
    assert window.hit("b") == 0


def test_wait_counts_nothing():
    clock = Clock()
    window = SlidingWindow(Budget(2, 60), clock=clock)
    assert window.wait("a") == 0
    window.hit("a")
    assert window.wait("a") == 0
    window.hit("a")
    assert window.wait("a") == pytest.approx(60)
    clock.now += 60
    assert window.wait("a") == 0
    assert window.hit("a") == 0


def test_idle_keys_are_forgotten_as_others_are_used():
    clock = Clock()
    window = SlidingWindow(Budget(5, 60), clock=clock)
    for n in range(100):
        window.hit(f"rotating-{n}")
    assert len(window) == 100
    clock.now += 61
    for n in range(100):
        window.hit(f"later-{n}")
    # Every hit drops idle keys too: the first hundred are gone.
    assert len(window) == 100
    assert not any(key.startswith("rotating") for key in window._hits)


def test_memory_is_bounded_even_while_every_key_is_active():
    clock = Clock()
    window = SlidingWindow(Budget(5, 60), clock=clock, max_keys=50)
    window.hit("victim")
    for n in range(49):
        window.hit(f"attacker-{n}")
    window.hit("victim")  # recently used: kept
    for n in range(49, 60):
        window.hit(f"attacker-{n}")
    assert len(window) == 50
    assert "victim" in window._hits
    assert "attacker-0" not in window._hits  # the least recently used went first


def test_a_budget_is_shared_among_workers_and_never_below_one():
    assert REGISTER.share(1) == REGISTER
    assert REGISTER.share(2) == Budget(2, REGISTER.seconds)
    assert Budget(25, 300).share(2).limit == 12
    assert REGISTER.share(8).limit == 1


def test_each_worker_keeps_its_share():
    limits = RateLimits(Config(workers=2, rate_limits=True), clock=Clock())
    waits = [limits.hit(limits.write, "client") for _ in range(WRITE.limit // 2 + 1)]
    assert not any(waits[:-1]) and waits[-1] > 0  # 300 per 5 minutes, 150 for each of 2
    assert limits.chat.budget == CHAT_SENDS.share(2)


def test_off_refuses_nothing():
    limits = RateLimits(Config(rate_limits=False), clock=Clock())
    assert all(limits.hit(limits.write, "client") == 0 for _ in range(WRITE.limit * 2))
    for _ in range(CHAT_SENDS.limit * 2):
        limits.charge_chat_send(1)


def test_chat_sends_are_counted_per_user():
    clock = Clock()
    limits = RateLimits(Config(rate_limits=True), clock=clock)
    for _ in range(CHAT_SENDS.limit):
        limits.charge_chat_send(1)
    with pytest.raises(RateLimited) as refused:
        limits.charge_chat_send(1)
    assert refused.value.retry_after == CHAT_SENDS.seconds
    limits.charge_chat_send(2)
    clock.now += CHAT_SENDS.seconds
    limits.charge_chat_send(1)


def test_retry_after_is_whole_seconds_and_never_zero():
    assert RateLimited(0.2).retry_after == 1
    assert RateLimited(29.01).retry_after == 30
    assert RateLimited(30).retry_after == 30
