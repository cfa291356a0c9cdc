"""Failed logins remember the known device they came from, so failures made elsewhere do not
lock a customer out of the browsers and apps they have logged in with before.

Revision ID: 0002
Revises: 0001
Created: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("login_failures", sa.Column("device", sa.String(64)))
    op.create_index(op.f("ix_login_failures_device"), "login_failures", ["device"])


def downgrade() -> None:
    op.drop_index(op.f("ix_login_failures_device"), table_name="login_failures")
    with op.batch_alter_table("login_failures") as batch:
        batch.drop_column("device")
