"""An authorization code (RFC 6749 §4.1.2), stored by hash and bound to everything it was
issued for, and the access token it is exchanged for (§4.1.4).

Code and token share one row so that the exchange is one conditional UPDATE (one database
round trip). The row also stands for the grant: revoking "every token issued from the code"
(on reuse) is its `revoked_at`, which the refresh tokens of the grant answer to as well.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.models.base import Base
from backend.models.user import User


class AuthorizationCode(Base):
    __tablename__ = "authorization_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.client_id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    redirect_uri: Mapped[str] = mapped_column(Text)
    scope: Mapped[str] = mapped_column(String(500))
    # The user's claims the scope releases, as of the authentication: the exchange signs
    # them without reading the user.
    claims: Mapped[dict[str, Any]] = mapped_column(JSON)
    nonce: Mapped[str | None] = mapped_column(Text)
    code_challenge: Mapped[str | None] = mapped_column(String(128))
    code_challenge_method: Mapped[str | None] = mapped_column(String(10))
    auth_time: Mapped[datetime]
    expires_at: Mapped[datetime]
    # Set once, atomically, by the redemption that wins; the row stays as a tombstone so a
    # second redemption is recognised as reuse (RFC 6749 §4.1.2).
    consumed_at: Mapped[datetime | None]
    access_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    access_token_expires_at: Mapped[datetime | None]
    access_token_revoked_at: Mapped[datetime | None]
    # Every token issued from the code, this access token and the refresh token family
    # (models/refresh_token.py): on the code's reuse, a refresh token's reuse or revocation.
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")
