"""Clients name the version of LivePerson's connector they serve: "oauth2" (OAuth 2 RFC, every
existing client's) or the legacy "openid", whose pop-out window adds its parameters to the
redirect URI and whose token request sends another registered redirect URI.

Revision ID: 0003
Revises: 0002
Created: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("clients", sa.Column("liveperson_connector", sa.String(10), nullable=False,
                                       server_default="oauth2"))


def downgrade() -> None:
    with op.batch_alter_table("clients") as batch:
        batch.drop_column("liveperson_connector")
