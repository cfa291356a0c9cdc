"""The initial schema: users, login sessions, failed logins, clients, authorization codes with
the access tokens they were exchanged for, and signing keys.

Revision ID: 0001
Revises:
Created: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200)),
        sa.Column("given_name", sa.String(100)),
        sa.Column("family_name", sa.String(100)),
        sa.Column("preferred_username", sa.String(100)),
        sa.Column("phone_number", sa.String(40)),
        sa.Column("email_verified", sa.Boolean(), nullable=False),
        sa.Column("phone_number_verified", sa.Boolean(), nullable=False),
        sa.Column("lp_sdes", sa.JSON()),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
        sa.UniqueConstraint("subject", name=op.f("uq_users_subject")),
    )
    op.create_table(
        "login_sessions",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("auth_time", UTC_DATETIME, nullable=False),
        sa.Column("expires_at", UTC_DATETIME, nullable=False),
        sa.Column("revoked_at", UTC_DATETIME),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_login_sessions_user_id_users")),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_login_sessions")),
    )
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    for column in ("address", "at", "email"):
        op.create_index(op.f(f"ix_login_failures_{column}"), "login_failures", [column])
    op.create_table(
        "clients",
        sa.Column("client_id", sa.String(200), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("redirect_uris", sa.JSON(), nullable=False),
        sa.Column("pkce_required", sa.Boolean(), nullable=False),
        sa.Column("allow_plain_pkce", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_clients")),
    )
    op.create_table(
        "authorization_codes",
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("client_id", sa.String(200), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("redirect_uri", sa.Text(), nullable=False),
        sa.Column("scope", sa.String(500), nullable=False),
        sa.Column("claims", sa.JSON(), nullable=False),
        sa.Column("nonce", sa.Text()),
        sa.Column("code_challenge", sa.String(128)),
        sa.Column("code_challenge_method", sa.String(10)),
        sa.Column("auth_time", UTC_DATETIME, nullable=False),
        sa.Column("expires_at", UTC_DATETIME, nullable=False),
        sa.Column("consumed_at", UTC_DATETIME),
        sa.Column("access_token_hash", sa.String(64)),
        sa.Column("access_token_expires_at", UTC_DATETIME),
        sa.Column("access_token_revoked_at", UTC_DATETIME),
        sa.ForeignKeyConstraint(["client_id"], ["clients.client_id"], ondelete="CASCADE",
                                name=op.f("fk_authorization_codes_client_id_clients")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_authorization_codes_user_id_users")),
        sa.PrimaryKeyConstraint("code_hash", name=op.f("pk_authorization_codes")),
        sa.UniqueConstraint("access_token_hash", name=op.f("uq_authorization_codes_access_token_hash")),
    )
    op.create_table(
        "signing_keys",
        sa.Column("kid", sa.String(64), nullable=False),
        sa.Column("public_jwk", sa.JSON(), nullable=False),
        sa.Column("encrypted_private_pem", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("activates_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("kid", name=op.f("pk_signing_keys")),
    )
    op.create_index(op.f("ix_signing_keys_activates_at"), "signing_keys", ["activates_at"])


def downgrade() -> None:
    for table in ("signing_keys", "authorization_codes", "clients", "login_failures",
                  "login_sessions", "users"):
        op.drop_table(table)
