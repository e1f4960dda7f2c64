"""Full-text search: GIN expression indexes over people, groups and posts.

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The documents as server/db/schema.py spelled them when this revision was written.
INDEXES = {
    "ix_users_search": (
        "users",
        "to_tsvector('simple'::regconfig, (((first_name || ' '::text) || last_name) || ' '::text)"
        " || COALESCE(nickname, ''::text))",
    ),
    "ix_groups_search": (
        "groups",
        "to_tsvector('simple'::regconfig, (title || ' '::text) || description)",
    ),
    "ix_posts_search": ("posts", "to_tsvector('simple'::regconfig, body)"),
}


def upgrade() -> None:
    for name, (table, document) in INDEXES.items():
        op.create_index(name, table, [sa.text(document)], postgresql_using="gin")


def downgrade() -> None:
    for name, (table, _) in INDEXES.items():
        op.drop_index(name, table_name=table)
