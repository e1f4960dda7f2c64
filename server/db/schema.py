"""The whole schema as SQLAlchemy Core metadata: Alembic's target, never used for queries.

Queries are plain SQL through asyncpg (server/db/<resource>.py). A test proves that the Alembic
head equals this metadata, so a change here needs a migration in the same commit.
"""

from __future__ import annotations

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)

from server.shapes import REACTION_KINDS

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _id() -> Column:
    return Column("id", BigInteger, Identity(always=False), primary_key=True)


def _created_at() -> Column:
    return Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now())


def _user_fk(name: str, *, nullable: bool = False, ondelete: str = "CASCADE") -> Column:
    return Column(name, BigInteger, ForeignKey("users.id", ondelete=ondelete), nullable=nullable)


def _enum_check(column: str, values: tuple[str, ...], name: str) -> CheckConstraint:
    quoted = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({quoted})", name=name)


# Full-text search (server/db/search.py): one document per searchable row, GIN-indexed by
# expression; a query matches with the same expression, or the planner cannot use the index.
# Written as Postgres prints them back (parentheses, casts), so that the migration test's
# comparison of the indexes with this metadata holds.
SEARCH_CONFIG = "'simple'::regconfig"


def _prefixed(alias: str) -> str:
    return f"{alias}." if alias else ""


def person_document(user: str = "") -> str:
    u = _prefixed(user)
    words = f"((({u}first_name || ' '::text) || {u}last_name) || ' '::text)"
    return f"to_tsvector({SEARCH_CONFIG}, {words} || COALESCE({u}nickname, ''::text))"


def group_document(group: str = "") -> str:
    g = _prefixed(group)
    return f"to_tsvector({SEARCH_CONFIG}, ({g}title || ' '::text) || {g}description)"


def post_document(post: str = "") -> str:
    return f"to_tsvector({SEARCH_CONFIG}, {_prefixed(post)}body)"


def _search_index(name: str, document: str) -> Index:
    return Index(name, text(document), postgresql_using="gin")


def _reaction_counts() -> list:
    """How many people reacted with each kind, in the order of REACTION_KINDS, kept by the
    write that adds, changes or withdraws a reaction (server/db/reactions.py): a page of posts
    reads its counts from its own rows, however many reactions there are."""
    zeros = "{" + ",".join("0" for _ in REACTION_KINDS) + "}"
    return [
        Column(
            "reaction_counts",
            ARRAY(Integer),
            nullable=False,
            server_default=text(f"'{zeros}'"),
        ),
        CheckConstraint(
            f"cardinality(reaction_counts) = {len(REACTION_KINDS)}", name="reaction_counts"
        ),
    ]


def _reactions(name: str, target: str) -> Table:
    """One reaction per person per post (or comment); the "who reacted" list pages by time."""
    column = f"{target[:-1]}_id"
    return Table(
        name,
        metadata,
        Column(column, BigInteger, ForeignKey(f"{target}.id", ondelete="CASCADE"), nullable=False),
        _user_fk("user_id"),
        Column("kind", Text, nullable=False),
        _created_at(),
        PrimaryKeyConstraint(column, "user_id"),
        _enum_check("kind", REACTION_KINDS, "kind"),
        Index(None, column, "created_at", "user_id"),
        Index(None, "user_id"),
    )


REQUEST_STATUSES = ("pending", "accepted", "declined", "cancelled")
POST_PRIVACIES = ("public", "almost_private", "private")
EVENT_RESPONSES = ("going", "not_going")
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif")
NOTIFICATION_KINDS = (
    "follow_request",
    "follow_accepted",
    "new_follower",
    "group_invitation",
    "group_join_request",
    "group_join_accepted",
    "group_invitation_accepted",
    "group_event",
    "post_comment",
    "reaction",
)

# --- people and sessions --------------------------------------------------------------------

users = Table(
    "users",
    metadata,
    _id(),
    Column("email", Text, nullable=False),
    # None for an account made through an external provider, until a password is set.
    Column("password_hash", Text),
    Column("first_name", Text, nullable=False),
    Column("last_name", Text, nullable=False),
    # None while an account made through an external provider has not given it yet.
    Column("date_of_birth", Date),
    Column("nickname", Text),
    Column("about_me", Text),
    # use_alter: users and media reference each other (a media row has an owner).
    Column(
        "avatar_id",
        BigInteger,
        ForeignKey("media.id", ondelete="SET NULL", use_alter=True),
    ),
    Column("is_public", Boolean, nullable=False, server_default=text("true")),
    _created_at(),
    Index("uq_users_email_lower", func.lower(text("email")), unique=True),
    _search_index("ix_users_search", person_document()),
    # Deleting a media row checks this key; so does the sweep of unused rows.
    Index(None, "avatar_id"),
)

sessions = Table(
    "sessions",
    metadata,
    _id(),
    # SHA-256 of the cookie token: a leaked table does not hand out live sessions.
    Column("token_hash", LargeBinary, nullable=False, unique=True),
    _user_fk("user_id"),
    _created_at(),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    # Moved forward at most every few minutes, in the statement that reads the session
    # (server/db/sessions.py), so that a request costs no write.
    Column("last_seen_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # The browser's User-Agent at login (cut short), shown as "Chrome on Linux".
    Column("user_agent", Text),
    Index(None, "user_id"),
)

# Failed logins per account (SPEC.md, Rate limits): a window that opens at a first failure and
# counts the failures within it. Keyed by the SHA-256 of the lowercased email, typed at login,
# whether or not an account has it: the table names no one. Rows of past windows are purged.
login_failures = Table(
    "login_failures",
    metadata,
    Column("email_hash", LargeBinary, primary_key=True),
    Column("window_start", DateTime(timezone=True), nullable=False),
    Column("failures", Integer, nullable=False),
)

# Hits of the small budgets per client address (login, register, password reset, uploads):
# kept here so that every worker and host counts them together (server/domain/address_budgets.py).
address_budgets = Table(
    "address_budgets",
    metadata,
    Column("budget", Text, nullable=False),
    Column("client", Text, nullable=False),
    # The times of the hits still within the budget's window, oldest first.
    Column("hits", ARRAY(DateTime(timezone=True)), nullable=False),
    PrimaryKeyConstraint("budget", "client"),
)

# Password reset by email: a single-use token, valid for an hour; the table holds its SHA-256.
password_resets = Table(
    "password_resets",
    metadata,
    _id(),
    _user_fk("user_id"),
    Column("token_hash", LargeBinary, nullable=False, unique=True),
    _created_at(),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),
    Index(None, "user_id"),
)

# Sign-in through an external provider: who (provider, subject) is which user.
user_identities = Table(
    "user_identities",
    metadata,
    Column("provider", Text, nullable=False),
    Column("subject", Text, nullable=False),
    _user_fk("user_id"),
    Column("email", Text),
    _created_at(),
    PrimaryKeyConstraint("provider", "subject"),
    Index(None, "user_id"),
)

# A sign-in on its way to a provider: its secrets until the callback (ten minutes at most).
oidc_logins = Table(
    "oidc_logins",
    metadata,
    _id(),
    # SHA-256 of the state; the browser holds the state itself in a cookie as well.
    Column("state_hash", LargeBinary, nullable=False, unique=True),
    Column("provider", Text, nullable=False),
    Column("nonce", Text, nullable=False),
    Column("code_verifier", Text, nullable=False),
    Column("next_path", Text, nullable=False),
    _created_at(),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

media = Table(
    "media",
    metadata,
    _id(),
    _user_fk("owner_id"),
    Column("sha256", Text, nullable=False),
    Column("content_type", Text, nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("byte_size", Integer, nullable=False),
    _created_at(),
    _enum_check("content_type", IMAGE_TYPES, "content_type"),
    Index(None, "owner_id"),
    # Rows sharing one file (content-addressed): is a file still named by a row?
    Index(None, "sha256"),
)

# --- followers --------------------------------------------------------------------------------

follows = Table(
    "follows",
    metadata,
    _user_fk("follower_id"),
    _user_fk("followee_id"),
    _created_at(),
    PrimaryKeyConstraint("follower_id", "followee_id"),
    CheckConstraint("follower_id <> followee_id", name="not_self"),
    Index(None, "followee_id", "follower_id"),
)

follow_requests = Table(
    "follow_requests",
    metadata,
    _id(),
    _user_fk("requester_id"),
    _user_fk("target_id"),
    Column("status", Text, nullable=False, server_default=text("'pending'")),
    _created_at(),
    Column("answered_at", DateTime(timezone=True)),
    _enum_check("status", REQUEST_STATUSES, "status"),
    CheckConstraint("requester_id <> target_id", name="not_self"),
    Index(
        "uq_follow_requests_pending",
        "requester_id",
        "target_id",
        unique=True,
        postgresql_where=text("status = 'pending'"),
    ),
    Index(None, "target_id", "status"),
)

blocks = Table(
    "blocks",
    metadata,
    _user_fk("blocker_id"),
    _user_fk("blocked_id"),
    _created_at(),
    PrimaryKeyConstraint("blocker_id", "blocked_id"),
    CheckConstraint("blocker_id <> blocked_id", name="not_self"),
    Index(None, "blocked_id", "blocker_id"),
)

# --- groups -----------------------------------------------------------------------------------

groups = Table(
    "groups",
    metadata,
    _id(),
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False),
    _user_fk("creator_id"),
    _created_at(),
    Index(None, "creator_id"),
    _search_index("ix_groups_search", group_document()),
)

group_members = Table(
    "group_members",
    metadata,
    Column("group_id", BigInteger, ForeignKey("groups.id", ondelete="CASCADE"), nullable=False),
    _user_fk("user_id"),
    Column("joined_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # The member's read marker in the group chat room.
    Column("last_read_message_id", BigInteger),
    PrimaryKeyConstraint("group_id", "user_id"),
    Index(None, "user_id", "group_id"),
)

group_invitations = Table(
    "group_invitations",
    metadata,
    _id(),
    Column("group_id", BigInteger, ForeignKey("groups.id", ondelete="CASCADE"), nullable=False),
    _user_fk("inviter_id"),
    _user_fk("invitee_id"),
    Column("status", Text, nullable=False, server_default=text("'pending'")),
    _created_at(),
    Column("answered_at", DateTime(timezone=True)),
    _enum_check("status", REQUEST_STATUSES, "status"),
    Index(
        "uq_group_invitations_pending",
        "group_id",
        "invitee_id",
        unique=True,
        postgresql_where=text("status = 'pending'"),
    ),
    Index(None, "invitee_id", "status"),
)

group_join_requests = Table(
    "group_join_requests",
    metadata,
    _id(),
    Column("group_id", BigInteger, ForeignKey("groups.id", ondelete="CASCADE"), nullable=False),
    _user_fk("user_id"),
    Column("status", Text, nullable=False, server_default=text("'pending'")),
    _created_at(),
    Column("answered_at", DateTime(timezone=True)),
    _enum_check("status", REQUEST_STATUSES, "status"),
    Index(
        "uq_group_join_requests_pending",
        "group_id",
        "user_id",
        unique=True,
        postgresql_where=text("status = 'pending'"),
    ),
    Index(None, "group_id", "status"),
)

events = Table(
    "events",
    metadata,
    _id(),
    Column("group_id", BigInteger, ForeignKey("groups.id", ondelete="CASCADE"), nullable=False),
    _user_fk("creator_id"),
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    _created_at(),
    Index(None, "group_id", "starts_at"),
)

event_responses = Table(
    "event_responses",
    metadata,
    Column("event_id", BigInteger, ForeignKey("events.id", ondelete="CASCADE"), nullable=False),
    _user_fk("user_id"),
    Column("response", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("event_id", "user_id"),
    _enum_check("response", EVENT_RESPONSES, "response"),
)

# --- posts and comments -----------------------------------------------------------------------

posts = Table(
    "posts",
    metadata,
    _id(),
    _user_fk("author_id"),
    Column("group_id", BigInteger, ForeignKey("groups.id", ondelete="CASCADE")),
    Column("body", Text, nullable=False, server_default=text("''")),
    Column("media_id", BigInteger, ForeignKey("media.id", ondelete="SET NULL")),
    Column("privacy", Text, nullable=False),
    _created_at(),
    Column("edited_at", DateTime(timezone=True)),
    *_reaction_counts(),
    _enum_check("privacy", POST_PRIVACIES, "privacy"),
    Index(None, "author_id", "id"),
    Index(None, "group_id", "id"),
    Index(None, "media_id"),
    # Explore, newest first: every public post outside groups.
    Index(
        "ix_posts_public_outside_groups",
        "id",
        postgresql_where=text("privacy = 'public' AND group_id IS NULL"),
    ),
    _search_index("ix_posts_search", post_document()),
)

post_viewers = Table(
    "post_viewers",
    metadata,
    Column("post_id", BigInteger, ForeignKey("posts.id", ondelete="CASCADE"), nullable=False),
    _user_fk("user_id"),
    PrimaryKeyConstraint("post_id", "user_id"),
    Index(None, "user_id", "post_id"),
)

comments = Table(
    "comments",
    metadata,
    _id(),
    Column("post_id", BigInteger, ForeignKey("posts.id", ondelete="CASCADE"), nullable=False),
    _user_fk("author_id"),
    Column("body", Text, nullable=False, server_default=text("''")),
    Column("media_id", BigInteger, ForeignKey("media.id", ondelete="SET NULL")),
    _created_at(),
    Column("edited_at", DateTime(timezone=True)),
    *_reaction_counts(),
    Index(None, "post_id", "id"),
    Index(None, "author_id", "id"),
    Index(None, "media_id"),
)

post_reactions = _reactions("post_reactions", "posts")
comment_reactions = _reactions("comment_reactions", "comments")

# --- chat -------------------------------------------------------------------------------------

messages = Table(
    "messages",
    metadata,
    _id(),
    _user_fk("sender_id"),
    # Exactly one of recipient_id (a direct message) and group_id (a group room) is set.
    _user_fk("recipient_id", nullable=True),
    Column("group_id", BigInteger, ForeignKey("groups.id", ondelete="CASCADE")),
    Column("body", Text, nullable=False),
    Column("media_id", BigInteger, ForeignKey("media.id", ondelete="SET NULL")),
    # The sender's idempotency key: a resend after a reconnect stores nothing new.
    Column("client_msg_id", Text),
    _created_at(),
    CheckConstraint("(recipient_id IS NULL) <> (group_id IS NULL)", name="one_conversation"),
    UniqueConstraint("sender_id", "client_msg_id"),
    Index(None, "sender_id", "recipient_id", "id"),
    Index(None, "recipient_id", "id"),
    Index(None, "group_id", "id"),
    Index(None, "media_id"),
)

direct_read_markers = Table(
    "direct_read_markers",
    metadata,
    _user_fk("user_id"),
    _user_fk("peer_id"),
    Column("last_read_message_id", BigInteger, nullable=False),
    PrimaryKeyConstraint("user_id", "peer_id"),
)

# --- notifications ----------------------------------------------------------------------------


def _subject_fk(name: str, table: str) -> Column:
    # A notification dies with its subject, so a bell never points at something deleted.
    return Column(name, BigInteger, ForeignKey(f"{table}.id", ondelete="CASCADE"))


notifications = Table(
    "notifications",
    metadata,
    _id(),
    _user_fk("user_id"),
    Column("kind", Text, nullable=False),
    _user_fk("actor_id"),
    _subject_fk("follow_request_id", "follow_requests"),
    _subject_fk("group_id", "groups"),
    _subject_fk("group_invitation_id", "group_invitations"),
    _subject_fk("group_join_request_id", "group_join_requests"),
    _subject_fk("event_id", "events"),
    _subject_fk("post_id", "posts"),
    _subject_fk("comment_id", "comments"),
    # The kind of a `reaction` notification's reaction (the first one; a change is not news).
    Column("reaction", Text),
    Column("read_at", DateTime(timezone=True)),
    _created_at(),
    _enum_check("kind", NOTIFICATION_KINDS, "kind"),
    _enum_check("reaction", REACTION_KINDS, "reaction"),
    Index(None, "user_id", "id"),
    Index("ix_notifications_unread", "user_id", postgresql_where=text("read_at IS NULL")),
)
