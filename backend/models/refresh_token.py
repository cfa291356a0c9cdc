"""A refresh token (RFC 6749 §1.5), stored by hash, in the family of the grant it belongs to,
and the access token issued with it by a refresh (§6).

A refresh spends its token and adds the successor's row (rotation, RFC 9700 §4.14.2); spent
rows stay until they expire, so that a reuse is recognised and revokes the grant. Whether the
grant is revoked is the code's row's (`AuthorizationCode.revoked_at`): one row decides for the
whole family, so a token added while the family is being revoked is revoked with it. The
family's first token has no access token of its own: the code exchange's is on the code's row.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.models.base import Base
from backend.models.user import User


class RefreshToken(Base):
    __tablename__ = "refresh_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    # The grant: the code it came from. Purging keeps a code while its family lives.
    code_hash: Mapped[str] = mapped_column(
        ForeignKey("authorization_codes.code_hash", ondelete="CASCADE"), index=True
    )
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.client_id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    scope: Mapped[str] = mapped_column(String(500))  # the grant's, the same along the family (§6)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]  # set once, atomically, by the refresh that spends it
    access_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    access_token_scope: Mapped[str | None] = mapped_column(String(500))  # narrowed, or the grant's
    access_token_expires_at: Mapped[datetime | None]
    access_token_revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")
