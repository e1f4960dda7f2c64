"""Indexes for the media sweep: files shared by rows (media.sha256), and the keys checked when a
media row is deleted (users.avatar_id, messages.media_id; posts and comments had theirs).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 00:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_media_sha256"), "media", ["sha256"], unique=False)
    op.create_index(op.f("ix_users_avatar_id"), "users", ["avatar_id"], unique=False)
    op.create_index(op.f("ix_messages_media_id"), "messages", ["media_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_messages_media_id"), table_name="messages")
    op.drop_index(op.f("ix_users_avatar_id"), table_name="users")
    op.drop_index(op.f("ix_media_sha256"), table_name="media")
