"""Posts and comments remember when they were last edited.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("posts", "comments"):
        op.add_column(table, sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    for table in ("posts", "comments"):
        op.drop_column(table, "edited_at")
