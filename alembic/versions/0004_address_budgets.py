"""The small budgets per client address, counted in Postgres so that every worker and host
counts them together (SPEC.md, Rate limits).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 00:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "address_budgets",
        sa.Column("budget", sa.Text(), nullable=False),
        sa.Column("client", sa.Text(), nullable=False),
        sa.Column("hits", postgresql.ARRAY(sa.DateTime(timezone=True)), nullable=False),
        sa.PrimaryKeyConstraint("budget", "client", name=op.f("pk_address_budgets")),
    )


def downgrade() -> None:
    op.drop_table("address_budgets")
