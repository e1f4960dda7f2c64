"""Who may see what. Each rule is a SQL predicate, written once here and used by every query
that needs it: lists filter in the same query that reads them (no query per row), and single
reads, media checks and the WebSocket reuse the very same text.

Each function takes the SQL alias of the row being checked and the SQL expression of the
viewer's id (a parameter such as "$2"), and returns a boolean SQL expression.

The realtime router decides who hears of a post without a query, from what it holds in memory
(the viewer's follows, groups and blocks; the post's author, group, privacy and picked viewers,
carried by the bus event). Those rules are the same ones, rendered in Python at the end of
this module, beside their SQL; tests/db/test_visibility.py checks that both renderings agree
on every case.
"""

from __future__ import annotations

from collections.abc import Collection, Set
from dataclasses import dataclass, field


def follows(follower: str, followee: str) -> str:
    """An accepted follow (a pending request does not count)."""
    condition = f"follower_id = {follower} AND followee_id = {followee}"
    return f"EXISTS (SELECT 1 FROM follows WHERE {condition})"


def blocked(blocker: str, blocked: str) -> str:
    """`blocker` blocked `blocked` (SPEC.md, Blocks)."""
    condition = f"blocker_id = {blocker} AND blocked_id = {blocked}"
    return f"EXISTS (SELECT 1 FROM blocks WHERE {condition})"


def blocks_between(one: str, other: str) -> str:
    """A block either way: what hides two people's posts, comments, reactions and
    notifications from each other (outside the groups they share), and their lists."""
    return f"({blocked(one, other)} OR {blocked(other, one)})"


def user_visible(user: str, viewer: str) -> str:
    """Whether `user` exists for `viewer`: not for the people they blocked, to whom every
    route about them answers as for no such user (404)."""
    return f"NOT {blocked(user, viewer)}"


def can_message(sender: str, recipient: str) -> str:
    """SPEC.md, Chat: a private message needs an accepted follow, either way, and no block
    either way (a block also ends the follows, this holds meanwhile)."""
    return (
        f"(({follows(sender, recipient)} OR {follows(recipient, sender)})"
        f" AND NOT {blocks_between(sender, recipient)})"
    )


def is_member(group: str, user: str) -> str:
    return f"EXISTS (SELECT 1 FROM group_members WHERE group_id = {group} AND user_id = {user})"


def profile_visible(user: str, viewer: str) -> str:
    """The full profile (details, posts list, activity, followers, following): the owner, anyone
    when it is public, and accepted followers when it is private."""
    return f"({user}.id = {viewer} OR {user}.is_public OR {follows(viewer, f'{user}.id')})"


def post_visible(post: str, viewer: str) -> str:
    """SPEC.md, Posts: a group post, the group's members and nobody else (blocks or not: group
    content stays visible inside the group; an author who left the group loses sight of their
    post with the rest); otherwise the author always, nobody in a block with the author, and
    then by the post's privacy: public to everyone, almost_private to accepted followers,
    private to the followers the author picked who still follow them (a picked viewer who
    unfollows, or whom the author removes, loses sight of the post)."""
    return f"""(
        CASE
            WHEN {post}.group_id IS NOT NULL THEN {is_member(f"{post}.group_id", viewer)}
            WHEN {post}.author_id = {viewer} THEN true
            WHEN {blocks_between(f"{post}.author_id", viewer)} THEN false
            WHEN {post}.privacy = 'public' THEN true
            WHEN {post}.privacy = 'almost_private' THEN {follows(viewer, f"{post}.author_id")}
            ELSE EXISTS (
                SELECT 1 FROM post_viewers
                WHERE post_viewers.post_id = {post}.id AND post_viewers.user_id = {viewer}
            ) AND {follows(viewer, f"{post}.author_id")}
        END
    )"""


def post_visible_to_follower(post: str, viewer: str) -> str:
    """post_visible, for a post outside groups whose author the viewer follows and is in no
    block with (Home checks those once per followee, then reads up to a page of posts of each):
    only a private post's picked viewers remain to check."""
    return f"""(
        {post}.privacy <> 'private' OR EXISTS (
            SELECT 1 FROM post_viewers
            WHERE post_viewers.post_id = {post}.id AND post_viewers.user_id = {viewer}
        )
    )"""


def comment_visible(comment: str, post: str, viewer: str) -> str:
    """A comment is visible with its post, except, outside groups, to someone in a block with
    its author."""
    return f"""(
        {post_visible(post, viewer)}
        AND ({post}.group_id IS NOT NULL OR {comment}.author_id = {viewer}
             OR NOT {blocks_between(f"{comment}.author_id", viewer)})
    )"""


def media_visible(media: str, viewer: str) -> str:
    """An image is visible to its owner; as an avatar, to every logged-in user; as the image of a
    post or a comment, to exactly those who may see that post or comment."""
    return f"""(
        {media}.owner_id = {viewer}
        OR EXISTS (SELECT 1 FROM users WHERE users.avatar_id = {media}.id)
        OR EXISTS (
            SELECT 1 FROM posts mp
            WHERE mp.media_id = {media}.id AND {post_visible("mp", viewer)}
        )
        OR EXISTS (
            SELECT 1 FROM comments mc JOIN posts mp ON mp.id = mc.post_id
            WHERE mc.media_id = {media}.id AND {comment_visible("mc", "mp", viewer)}
        )
    )"""


# --- the same rules in memory, for the realtime router -------------------------------------


@dataclass(frozen=True, slots=True)
class PostFacts:
    """What deciding who may see a post takes (a post event carries it)."""

    author_id: int
    group_id: int | None
    privacy: str
    viewer_ids: Set[int]  # the picked viewers of a private post


@dataclass(slots=True)
class Viewer:
    """What deciding what a user may see takes, but their groups (the router tracks those
    for every user online): whom they follow, and the blocks either way."""

    user_id: int
    following: set[int] = field(default_factory=set)
    blocking: set[int] = field(default_factory=set)  # whom they blocked
    blocked_by: set[int] = field(default_factory=set)  # who blocked them

    def in_block_with(self, user_id: int) -> bool:
        return user_id in self.blocking or user_id in self.blocked_by


def sees_post(viewer: Viewer, groups: Collection[int], post: PostFacts) -> bool:
    """post_visible."""
    if post.group_id is not None:
        return post.group_id in groups
    if post.author_id == viewer.user_id:
        return True
    if viewer.in_block_with(post.author_id):
        return False
    if post.privacy == "public":
        return True
    if post.author_id not in viewer.following:
        return False
    return post.privacy == "almost_private" or viewer.user_id in post.viewer_ids


def sees_comment(
    viewer: Viewer, groups: Collection[int], post: PostFacts, comment_author_id: int
) -> bool:
    """comment_visible."""
    return sees_post(viewer, groups, post) and (
        post.group_id is not None
        or comment_author_id == viewer.user_id
        or not viewer.in_block_with(comment_author_id)
    )


def in_home(viewer: Viewer, groups: Collection[int], post: PostFacts) -> bool:
    """A post of Home (server/db/posts.py, HOME)."""
    mine = post.author_id == viewer.user_id
    if post.group_id is not None:
        return post.group_id in groups and (mine or not viewer.in_block_with(post.author_id))
    if mine:
        return True
    return post.author_id in viewer.following and sees_post(viewer, groups, post)


def in_explore(viewer: Viewer, groups: Collection[int], post: PostFacts) -> bool:
    """A post of Explore (server/db/posts.py, EXPLORE)."""
    return post.privacy == "public" and post.group_id is None and sees_post(viewer, groups, post)


def in_profile(
    viewer: Viewer, groups: Collection[int], post: PostFacts, *, author_public: bool
) -> bool:
    """A post of its author's profile list: user_visible and profile_visible, then
    post_visible."""
    author = post.author_id
    return (
        author not in viewer.blocked_by
        and (author == viewer.user_id or author_public or author in viewer.following)
        and sees_post(viewer, groups, post)
    )
