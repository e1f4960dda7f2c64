"""Each load scenario at tiny scale against a real server, checking the tool's own books:
everything sent was received by every intended recipient, and latencies were recorded. No
timing assertions: speed is measured by the benchmarks (docs/benchmarks.md), not by tests."""

from __future__ import annotations

import pytest
import trio_asyncio

from loadtest.driver import SimUser, run_load
from loadtest.seed import SeedPlan, run_seed
from loadtest.stats import Targets


@pytest.fixture
async def seeded(server):
    async with trio_asyncio.open_loop():
        created = await trio_asyncio.aio_as_trio(run_seed)(
            server.config.database_url, SeedPlan(users=6, posts=30, groups=2)
        )
    return [SimUser(n, user["user_id"], user["token"]) for n, user in enumerate(created)]


async def run(server, seeded, scenario, *, rate=20.0, duration=0.5):
    stats, extra = await run_load(
        scenario, server.url, seeded, rate=rate, duration=duration, progress=False
    )
    assert stats.connect_failures == 0 and stats.dropped == 0
    assert Targets(p99_ms=None).failures(stats) == []
    return stats, extra


async def test_seed_makes_followed_pairs_a_room_and_posts(server, seeded):
    assert len(seeded) == 6
    assert len({user.token for user in seeded}) == 6


async def test_idle_holds_every_socket(server, seeded):
    stats, _ = await run(server, seeded, "idle")
    assert stats.connected == 6 and stats.sent == 0


async def test_direct_delivers_every_message_to_its_partner(server, seeded):
    stats, _ = await run(server, seeded, "direct")
    assert stats.sent == 10 and stats.acked == 10
    assert stats.expected == stats.delivered == 10 and stats.lost == 0
    assert len(stats.latencies_ms) == 10


async def test_group_delivers_every_message_to_every_other_member(server, seeded):
    stats, _ = await run(server, seeded, "group")
    assert stats.sent == 10 and stats.acked == 10
    assert stats.expected == stats.delivered == 10 * 5 and stats.lost == 0
    assert len(stats.latencies_ms) == 50


async def test_feed_reads_pages(server, seeded):
    stats, _ = await run(server, seeded, "feed")
    assert stats.sent == stats.delivered == 10 and stats.refused == 0
    assert len(stats.latencies_ms) == 10


async def test_feed_live_delivers_every_post_to_every_home_it_belongs_to(server, seeded):
    """Six users in three pairs who follow each other, all watching Home: each post reaches
    its author's Home and their partner's."""
    stats, _ = await run(server, seeded, "feed-live")
    assert stats.connected == 6 and stats.sent == 10 and stats.acked == 10
    assert stats.refused == 0
    assert stats.expected == stats.delivered == 10 * 2 and stats.lost == 0
    assert len(stats.latencies_ms) == 20


async def test_a_lost_delivery_fails_the_run(server, seeded):
    """The books are honest: a message nobody can receive is counted as lost."""
    stats, _ = await run_load(
        "direct", server.url, seeded[:2], rate=5, duration=0.2, progress=False
    )
    assert stats.lost == 0
    stats.expected += 1  # as if one copy never arrived
    assert Targets().failures(stats) == ["1 deliveries lost"]
