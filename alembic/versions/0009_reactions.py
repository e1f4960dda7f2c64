"""Reactions on posts and comments: one per person, counts kept on the reacted row, and the
`reaction` notification.

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen here as they were when this revision was written (server/shapes.py may grow).
KINDS = ("like", "love", "haha", "wow", "sad", "angry")
QUOTED = ", ".join(f"'{kind}'" for kind in KINDS)
NOTIFICATION_KINDS_BEFORE = (
    "follow_request",
    "follow_accepted",
    "new_follower",
    "group_invitation",
    "group_join_request",
    "group_join_accepted",
    "group_invitation_accepted",
    "group_event",
    "post_comment",
)


def _kinds_check(kinds: tuple[str, ...]) -> str:
    return "kind IN ({})".format(", ".join(f"'{kind}'" for kind in kinds))


def _reactions(name: str, target: str, column: str) -> None:
    op.create_table(
        name,
        sa.Column(column, sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(f"kind IN ({QUOTED})", name=op.f(f"ck_{name}_kind")),
        sa.ForeignKeyConstraint(
            [column],
            [f"{target}.id"],
            name=op.f(f"fk_{name}_{column}_{target}"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f(f"fk_{name}_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint(column, "user_id", name=op.f(f"pk_{name}")),
    )
    op.create_index(
        op.f(f"ix_{name}_{column}_created_at_user_id"), name, [column, "created_at", "user_id"]
    )
    op.create_index(op.f(f"ix_{name}_user_id"), name, ["user_id"])


def upgrade() -> None:
    for table in ("posts", "comments"):
        op.add_column(
            table,
            sa.Column(
                "reaction_counts",
                sa.ARRAY(sa.Integer()),
                server_default=sa.text("'{0,0,0,0,0,0}'"),
                nullable=False,
            ),
        )
        op.create_check_constraint(
            op.f(f"ck_{table}_reaction_counts"),
            table,
            f"cardinality(reaction_counts) = {len(KINDS)}",
        )
    _reactions("post_reactions", "posts", "post_id")
    _reactions("comment_reactions", "comments", "comment_id")
    op.add_column("notifications", sa.Column("reaction", sa.Text(), nullable=True))
    op.create_check_constraint(
        op.f("ck_notifications_reaction"), "notifications", f"reaction IN ({QUOTED})"
    )
    op.drop_constraint(op.f("ck_notifications_kind"), "notifications", type_="check")
    op.create_check_constraint(
        op.f("ck_notifications_kind"),
        "notifications",
        _kinds_check((*NOTIFICATION_KINDS_BEFORE, "reaction")),
    )


def downgrade() -> None:
    op.execute("DELETE FROM notifications WHERE kind = 'reaction'")
    op.drop_constraint(op.f("ck_notifications_kind"), "notifications", type_="check")
    op.create_check_constraint(
        op.f("ck_notifications_kind"), "notifications", _kinds_check(NOTIFICATION_KINDS_BEFORE)
    )
    op.drop_constraint(op.f("ck_notifications_reaction"), "notifications", type_="check")
    op.drop_column("notifications", "reaction")
    op.drop_table("comment_reactions")
    op.drop_table("post_reactions")
    for table in ("posts", "comments"):
        op.drop_constraint(op.f(f"ck_{table}_reaction_counts"), table, type_="check")
        op.drop_column(table, "reaction_counts")
