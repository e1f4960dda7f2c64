"""Live feeds and posts (SPEC.md, Posts and comments: Live): what each socket watches, and who
hears of each post event.

A tab says what it shows with a `watch` frame: up to 10 feeds ("home", "explore", "user:<id>",
"group:<id>") and 500 posts; each frame replaces the last. Nothing is checked against the
database then: a socket hears of a post only if its user may see the post *when the event
arrives*, decided in memory, so an id it may not see simply never yields a frame.

The decision needs no query per recipient, nor per event:
- Each post event carries the post's facts (author, group, privacy, picked viewers: at most
  1,000), server/events.py.
- Each user watching here has a `Viewer` (whom they follow, the blocks either way), read in one
  query when their first watch arrives and kept current by the bus (FollowChanged,
  BlockChanged); their groups the router already tracks for every user online. The rules are
  those of server/db/visibility.py, rendered in memory beside their SQL (a test keeps the two
  equal).
- Sockets are indexed by feed and by post id, and "home" candidates are found from the smaller
  side: the home watchers, or the author's online followers (group members) here. So routing an
  event costs in proportion to the sockets that watch, never to followers or members, and each
  frame is dumped once per audience (once per feed for post.new) by the router.

A viewer is read after the watch is recorded as loading, and the follow and block events heard
meanwhile are applied after the read, in order (as the router does for groups): no change
between the read and the first frame is missed. Until its viewer is loaded a socket hears
nothing. A block is never announced: the blocked person's sockets simply stop hearing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from server import events
from server.db import users
from server.db.database import Database
from server.db.visibility import (
    PostFacts,
    Viewer,
    in_explore,
    in_home,
    in_profile,
    sees_comment,
    sees_post,
)
from server.realtime import protocol
from server.realtime.indexes import discard
from server.realtime.protocol import ServerFrame, Watch

if TYPE_CHECKING:
    from server.realtime.actor import SessionActor
    from server.realtime.registry import Connection
    from server.realtime.router import Router

log = logging.getLogger("socialnet.live")

# One audience: a frame and the sockets it goes to.
Audience = tuple[ServerFrame, list["Connection"]]


@dataclass(slots=True)
class _Watching:
    feeds: frozenset[str] = frozenset()
    posts: frozenset[int] = frozenset()


@dataclass(slots=True)
class _Loading:
    pending: int = 0
    heard: list[events.Event] = field(default_factory=list)


def facts(event: events.PostEvent) -> PostFacts:
    return PostFacts(event.author_id, event.group_id, event.privacy, frozenset(event.viewer_ids))


class LiveFeeds:
    """The watch registry of one process, and the audiences of post events."""

    def __init__(
        self,
        *,
        groups_of: Callable[[int], Collection[int]],
        members_here: Callable[[int], Collection[int]],
        sockets_of: Callable[[int], Collection[Connection]],
    ) -> None:
        self._groups_of = groups_of
        self._members_here = members_here
        self._sockets_of = sockets_of
        self._watching: dict[Connection, _Watching] = {}
        self._by_feed: dict[str, set[Connection]] = {}
        self._by_post: dict[int, set[Connection]] = {}
        self._viewers: dict[int, Viewer] = {}
        # followee -> the users here (with a viewer) who follow them: Home's candidates.
        self._followers_here: dict[int, set[int]] = {}
        self._loading: dict[int, _Loading] = {}

    # --- what sockets watch ---

    def watch(self, connection: Connection, feeds: frozenset[str], posts: frozenset[int]):
        """Replace what the socket watches."""
        self.unwatch(connection)
        if not feeds and not posts:
            return
        self._watching[connection] = _Watching(feeds, posts)
        for feed in feeds:
            self._by_feed.setdefault(feed, set()).add(connection)
        for post_id in posts:
            self._by_post.setdefault(post_id, set()).add(connection)

    def unwatch(self, connection: Connection) -> None:
        watching = self._watching.pop(connection, None)
        if watching is None:
            return
        for feed in watching.feeds:
            discard(self._by_feed, feed, connection)
        for post_id in watching.posts:
            discard(self._by_post, post_id, connection)

    @property
    def watching_sockets(self) -> int:
        return len(self._watching)

    # --- what watching users may see ---

    def needs_viewer(self, user_id: int) -> bool:
        return user_id not in self._viewers and user_id not in self._loading

    def viewer_loading(self, user_id: int) -> None:
        """A viewer is about to be read: hold the follow and block events about the user."""
        self._loading.setdefault(user_id, _Loading()).pending += 1

    def viewer_loaded(self, viewer: Viewer, *, online: bool) -> None:
        """The viewer as read; the events heard since apply after it. Dropped when its user
        has no socket here any more (`online` false)."""
        loading = self._loading.get(viewer.user_id)
        if online:
            self._set_viewer(viewer)
            for event in loading.heard if loading is not None else ():
                self._apply(event)
        self._load_done(viewer.user_id)

    def viewer_failed(self, user_id: int) -> None:
        self._load_done(user_id)

    def _load_done(self, user_id: int) -> None:
        loading = self._loading.get(user_id)
        if loading is not None:
            loading.pending -= 1
            if loading.pending <= 0:
                del self._loading[user_id]

    def forget_user(self, user_id: int) -> None:
        """The user's last socket here closed."""
        self._loading.pop(user_id, None)
        self._drop_viewer(user_id)

    def _set_viewer(self, viewer: Viewer) -> None:
        self._drop_viewer(viewer.user_id)
        self._viewers[viewer.user_id] = viewer
        for followee in viewer.following:
            self._followers_here.setdefault(followee, set()).add(viewer.user_id)

    def _drop_viewer(self, user_id: int) -> None:
        viewer = self._viewers.pop(user_id, None)
        if viewer is not None:
            for followee in viewer.following:
                discard(self._followers_here, followee, user_id)

    def follow_or_block(self, event: events.FollowChanged | events.BlockChanged) -> None:
        """Keep the viewers here current (held back for a viewer being read)."""
        concerned = (
            (event.follower_id, event.followee_id)
            if isinstance(event, events.FollowChanged)
            else (event.blocker_id, event.blocked_id)
        )
        for user_id in concerned:
            loading = self._loading.get(user_id)
            if loading is not None:
                loading.heard.append(event)
        self._apply(event)

    def _apply(self, event: events.Event) -> None:
        match event:
            case events.FollowChanged(follower_id=follower, followee_id=followee):
                viewer = self._viewers.get(follower)
                if viewer is None:
                    return
                if event.following:
                    viewer.following.add(followee)
                    self._followers_here.setdefault(followee, set()).add(follower)
                else:
                    viewer.following.discard(followee)
                    discard(self._followers_here, followee, follower)
            case events.BlockChanged(blocker_id=blocker, blocked_id=blocked):
                for user_id, other, side in (
                    (blocker, blocked, "blocking"),
                    (blocked, blocker, "blocked_by"),
                ):
                    viewer = self._viewers.get(user_id)
                    if viewer is None:
                        continue
                    people: set[int] = getattr(viewer, side)
                    if event.blocked:
                        people.add(other)
                    else:
                        people.discard(other)

    # --- audiences ---

    def audiences(self, event: events.PostEvent) -> list[Audience]:
        match event:
            case events.PostPublished():
                return self._published(event)
            case events.PostEdited():
                return self._edited(event)
            case events.PostDeleted():
                audience = list(self._post_watchers(event, facts(event)))
                for connection in tuple(self._by_post.pop(event.post_id, ())):
                    watching = self._watching.get(connection)
                    if watching is not None:
                        watching.posts = watching.posts - {event.post_id}
                return [(protocol.PostDeletedFrame(event.post_id), audience)]
            case events.PostCounts():
                frame = protocol.PostCountsFrame(
                    event.post_id, event.comments_count, event.reactions
                )
                return [(frame, list(self._post_watchers(event, facts(event))))]
            case events.CommentPublished():
                frame = protocol.CommentNewFrame(event.comment)
            case events.CommentEdited():
                frame = protocol.CommentEditedFrame(event.comment)
            case events.CommentDeleted():
                frame = protocol.CommentDeletedFrame(event.post_id, event.comment_id)
            case events.CommentCounts():
                frame = protocol.CommentCountsFrame(event.comment_id, event.reactions)
            case _:
                return []
        return [(frame, list(self._comment_watchers(event)))]

    def _viewer_and_groups(self, user_id: int) -> tuple[Viewer | None, Collection[int]]:
        return self._viewers.get(user_id), self._groups_of(user_id)

    def _post_watchers(self, event: events.PostEvent, post: PostFacts) -> Iterator[Connection]:
        for connection in self._by_post.get(event.post_id, ()):
            viewer, groups = self._viewer_and_groups(connection.user_id)
            if viewer is not None and sees_post(viewer, groups, post):
                yield connection

    def _comment_watchers(self, event) -> Iterator[Connection]:
        post = facts(event)
        for connection in self._by_post.get(event.post_id, ()):
            viewer, groups = self._viewer_and_groups(connection.user_id)
            if viewer is not None and sees_comment(viewer, groups, post, event.comment_author_id):
                yield connection

    def _edited(self, event: events.PostEdited) -> list[Audience]:
        now = facts(event)
        before = PostFacts(
            event.author_id, event.group_id, event.was_privacy, frozenset(event.was_viewer_ids)
        )
        still, lost = [], []
        for connection in self._by_post.get(event.post_id, ()):
            viewer, groups = self._viewer_and_groups(connection.user_id)
            if viewer is None:
                continue
            if sees_post(viewer, groups, now):
                still.append(connection)
            elif sees_post(viewer, groups, before):
                lost.append(connection)
        return [
            (protocol.PostEditedFrame(event.post), still),
            (protocol.PostDeletedFrame(event.post_id), lost),
        ]

    def _published(self, event: events.PostPublished) -> list[Audience]:
        post = facts(event)
        author = event.author_id
        feeds: list[tuple[str, Iterable[Connection], Callable]] = [
            ("home", self._home_candidates(event), in_home),
            ("explore", self._by_feed.get("explore", ()), in_explore),
            (
                f"user:{author}",
                self._by_feed.get(f"user:{author}", ()),
                lambda viewer, groups, post: in_profile(
                    viewer, groups, post, author_public=event.author_public
                ),
            ),
        ]
        if event.group_id is not None:
            feed = f"group:{event.group_id}"
            feeds.append((feed, self._by_feed.get(feed, ()), sees_post))
        audiences = []
        for feed, candidates, belongs in feeds:
            reached = []
            for connection in candidates:
                viewer, groups = self._viewer_and_groups(connection.user_id)
                if viewer is not None and belongs(viewer, groups, post):
                    reached.append(connection)
            audiences.append((protocol.PostNewFrame(feed, event.post), reached))
        return audiences

    def _home_candidates(self, event: events.PostPublished) -> Iterable[Connection]:
        """The sockets watching Home whose user might have the post there: the author, and
        the group's members (a group post) or the author's followers here. From whichever side
        is smaller: the home watchers, or those people's sockets."""
        watching_home = self._by_feed.get("home")
        if not watching_home:
            return ()
        if event.group_id is not None:
            people = self._members_here(event.group_id)
        else:
            people = self._followers_here.get(event.author_id, ())
        if len(people) + 1 >= len(watching_home):
            return watching_home
        found = [
            connection
            for user_id in (event.author_id, *people)
            for connection in self._sockets_of(user_id)
            if connection in watching_home
        ]
        return found


class LiveHandlers:
    """The `watch` frame of a SessionActor."""

    def __init__(self, db: Database, router: Router):
        self.db = db
        self.router = router

    def table(self) -> dict:
        return {Watch: self.watch}

    async def watch(self, actor: SessionActor, frame: Watch) -> None:
        live = self.router.live
        user_id = actor.user_id
        if live.needs_viewer(user_id):
            live.viewer_loading(user_id)
            try:
                viewer = await self.db.run(users.select_viewer, user_id)
            except Exception:
                # Watching without knowing what the user may see would mislead the tab: it is
                # closed, and reconnects and catches up once the database answers again.
                live.viewer_failed(user_id)
                log.warning(
                    "could not read a viewer", exc_info=True, extra={"fields": {"user": user_id}}
                )
                actor.close(protocol.CLOSE_TRY_AGAIN_LATER)
                return
            except BaseException:  # cancelled: nothing is loading any more
                live.viewer_failed(user_id)
                raise
            live.viewer_loaded(viewer, online=bool(self.router.connections_of(user_id)))
        if self.router.is_registered(actor):
            live.watch(actor, frame.feeds, frame.posts)
