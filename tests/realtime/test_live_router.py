"""The live part of the router alone (server/realtime/live.py): fan-out in proportion to the
sockets that watch, each frame dumped once per audience, follows and blocks kept current
without a query, and nothing kept once a socket is gone."""

from __future__ import annotations

import pytest

from server import events
from server.db.visibility import Viewer
from server.realtime import live
from server.realtime.router import Router
from tests.realtime.test_router import FakeConnection, online

AUTHOR = 1


def published(n: int, *, privacy: str = "almost_private", group_id: int | None = None):
    return events.PostPublished(
        post_id=n,
        author_id=AUTHOR,
        group_id=group_id,
        privacy=privacy,
        viewer_ids=(),
        post={"id": n},
        author_public=True,
    )


def watching(router: Router, user_id: int, feeds=("home",), posts=(), following=(AUTHOR,)):
    """An online socket whose user's viewer is loaded and who watches `feeds` and `posts`."""
    connection = online(router, FakeConnection(user_id, size=100))
    if router.live.needs_viewer(user_id):
        router.live.viewer_loading(user_id)
        router.live.viewer_loaded(Viewer(user_id, following=set(following)), online=True)
    router.live.watch(connection, frozenset(feeds), frozenset(posts))
    return connection


def counting(monkeypatch, name: str) -> list:
    """Count the calls of one of live's rules (the real rule still answers)."""
    calls = []
    rule = getattr(live, name)

    def counted(*args, **kwargs):
        calls.append(args[0].user_id)
        return rule(*args, **kwargs)

    monkeypatch.setattr(live, name, counted)
    return calls


@pytest.mark.parametrize(
    ("others", "how"),
    [
        ({"feeds": ()}, "a thousand of the author's followers online here, watching nothing"),
        ({"following": ()}, "a thousand people watching Home who do not follow the author"),
    ],
)
def test_home_costs_what_its_watchers_do_not_what_followers_do(monkeypatch, others, how):
    """One reader watches Home and follows the author; beside them, `how`: one check."""
    router = Router(log_every_event=False)
    for user_id in range(1000, 2000):
        watching(router, user_id, **others)
    reader = watching(router, 5000)
    checks = counting(monkeypatch, "in_home")
    router.route(published(1))
    assert checks == [5000]
    assert [frame["post"]["id"] for frame in reader.frames()] == [1]


def test_a_frame_is_dumped_once_for_its_whole_audience():
    router = Router(log_every_event=False)
    readers = [watching(router, user_id) for user_id in range(10, 20)]
    texts = []
    for reader in readers:
        reader.deliver_nowait = texts.append  # keep the very objects handed over
    router.route(published(1))
    assert len(texts) == 10 and all(text is texts[0] for text in texts)


def test_a_socket_without_its_viewer_hears_nothing_and_follows_heard_meanwhile_count():
    router = Router(log_every_event=False)
    connection = online(router, FakeConnection(7, size=10))
    router.live.viewer_loading(7)  # the read is under way
    router.live.watch(connection, frozenset({"home"}), frozenset())
    router.route(published(1))
    assert connection.frames() == []
    # Heard after the read began, it applies after the read (which could not have seen it).
    router.route(events.FollowChanged(7, AUTHOR, following=True))
    router.live.viewer_loaded(Viewer(7), online=True)
    router.route(published(2))
    assert [frame["post"]["id"] for frame in connection.frames()] == [2]
    router.route(events.BlockChanged(AUTHOR, 7, blocked=True))
    router.route(events.FollowChanged(7, AUTHOR, following=False))
    router.route(published(3, privacy="public"))
    assert connection.frames() == []


def test_nothing_is_kept_once_the_last_socket_is_gone():
    router = Router(log_every_event=False)
    first = watching(router, 7, posts=(1, 2))
    second = watching(router, 7, feeds=("explore",), posts=(2,))
    router.unregister(first)
    assert router.live.watching_sockets == 1 and not router.live.needs_viewer(7)
    router.unregister(second)
    assert router.live.watching_sockets == 0 and router.live.needs_viewer(7)
    router.route(published(3))
    assert first.frames() == second.frames() == []
