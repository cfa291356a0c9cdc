"""Consumer Delegation: clients name the brand's API scopes they may be granted, whether they are
first-party for them and how customers read their name; a code's grant can be revoked as a
whole; refresh tokens (one family per grant, with the access tokens refreshes issue), the
customers' consents, and the demo API's orders.

Revision ID: 0004
Revises: 0003
Created: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("clients", sa.Column("name", sa.String(100)))
    # Every existing client keeps what it had: no delegation, so no consent question either.
    op.add_column("clients", sa.Column("delegation_scopes", sa.JSON(), nullable=False,
                                       server_default=sa.text("'[]'")))
    op.add_column("clients", sa.Column("first_party", sa.Boolean(), nullable=False,
                                       server_default=sa.false()))
    op.add_column("authorization_codes", sa.Column("revoked_at", UTC_DATETIME))
    op.create_table(
        "refresh_tokens",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("client_id", sa.String(200), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(500), nullable=False),
        sa.Column("expires_at", UTC_DATETIME, nullable=False),
        sa.Column("used_at", UTC_DATETIME),
        sa.Column("access_token_hash", sa.String(64)),
        sa.Column("access_token_scope", sa.String(500)),
        sa.Column("access_token_expires_at", UTC_DATETIME),
        sa.Column("access_token_revoked_at", UTC_DATETIME),
        sa.ForeignKeyConstraint(["code_hash"], ["authorization_codes.code_hash"], ondelete="CASCADE",
                                name=op.f("fk_refresh_tokens_code_hash_authorization_codes")),
        sa.ForeignKeyConstraint(["client_id"], ["clients.client_id"], ondelete="CASCADE",
                                name=op.f("fk_refresh_tokens_client_id_clients")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_refresh_tokens_user_id_users")),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_refresh_tokens")),
        sa.UniqueConstraint("access_token_hash", name=op.f("uq_refresh_tokens_access_token_hash")),
    )
    for column in ("code_hash", "user_id"):
        op.create_index(op.f(f"ix_refresh_tokens_{column}"), "refresh_tokens", [column])
    op.create_table(
        "consents",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(200), nullable=False),
        sa.Column("scope", sa.String(500), nullable=False),
        sa.Column("granted_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_consents_user_id_users")),
        sa.ForeignKeyConstraint(["client_id"], ["clients.client_id"], ondelete="CASCADE",
                                name=op.f("fk_consents_client_id_clients")),
        sa.PrimaryKeyConstraint("user_id", "client_id", name=op.f("pk_consents")),
    )
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("placed_at", UTC_DATETIME, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("description", sa.String(200), nullable=False),
        sa.Column("total_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_orders_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("reference", name=op.f("uq_orders_reference")),
    )
    op.create_index(op.f("ix_orders_user_id"), "orders", ["user_id"])


def downgrade() -> None:
    for table in ("orders", "consents", "refresh_tokens"):
        op.drop_table(table)
    with op.batch_alter_table("authorization_codes") as batch:
        batch.drop_column("revoked_at")
    with op.batch_alter_table("clients") as batch:
        for column in ("first_party", "delegation_scopes", "name"):
            batch.drop_column(column)
