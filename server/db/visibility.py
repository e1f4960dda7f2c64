"""Who may see what. Each rule is a SQL predicate, written once here and used by every query
that needs it: lists filter in the same query that reads them (no query per row), and single
reads, media checks and the WebSocket reuse the very same text.

Each function takes the SQL alias of the row being checked and the SQL expression of the
viewer's id (a parameter such as "$2"), and returns a boolean SQL expression.
"""

from __future__ import annotations


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
    """SPEC.md, Posts: the author always; a group post, the group's members (blocks or not:
    group content stays visible inside the group); otherwise nobody in a block with the author,
    and then by the post's privacy: public to everyone, almost_private to accepted followers,
    private to the followers the author picked who still follow them (a picked viewer who
    unfollows, or whom the author removes, loses sight of the post)."""
    return f"""(
        {post}.author_id = {viewer}
        OR CASE
            WHEN {post}.group_id IS NOT NULL THEN {is_member(f"{post}.group_id", viewer)}
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
    """post_visible, for a post outside groups whose author the viewer follows (Home reads
    thousands of such rows per page): no block can stand between them (a block ends the
    follows, and no follow starts across one), so only a private post's picked viewers remain
    to check."""
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
