"""Explore: a partial index of the public posts outside groups, newest first.

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_posts_public_outside_groups",
        "posts",
        ["id"],
        unique=False,
        postgresql_where=sa.text("privacy = 'public' AND group_id IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_posts_public_outside_groups", table_name="posts")
