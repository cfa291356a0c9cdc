"""Deleting what can no longer be used (`purge-expired`, from cron)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, exists, or_
from sqlalchemy.orm import Session

from backend.models import AuthorizationCode, LoginFailure, LoginSession, RefreshToken


def purge_expired(db: Session, now: datetime, login_window: int) -> dict[str, int]:
    """Rows deleted, by kind. A consumed code is kept until the token issued from it has
    expired, so its reuse is still recognised (and revokes) until then, and so is a spent
    refresh token; a code also stays while a refresh token of its grant lives, since it holds
    the grant's revocation. Failed logins are kept while they count against a limit."""
    removed = {
        "refresh tokens": db.execute(delete(RefreshToken).where(
            RefreshToken.expires_at < now,
            or_(RefreshToken.access_token_expires_at.is_(None),
                RefreshToken.access_token_expires_at < now),
        )).rowcount,
        "authorization codes": db.execute(delete(AuthorizationCode).where(
            AuthorizationCode.expires_at < now,
            or_(AuthorizationCode.access_token_expires_at.is_(None),
                AuthorizationCode.access_token_expires_at < now),
            ~exists().where(RefreshToken.code_hash == AuthorizationCode.code_hash),
        )).rowcount,
        "login sessions": db.execute(delete(LoginSession).where(
            or_(LoginSession.expires_at < now, LoginSession.revoked_at.is_not(None))
        )).rowcount,
        "failed logins": db.execute(delete(LoginFailure).where(
            LoginFailure.at < now - timedelta(seconds=login_window)
        )).rowcount,
    }
    db.commit()
    return removed
