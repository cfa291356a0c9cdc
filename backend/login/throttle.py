"""Rate limiting of password guesses, per account and per client address.

Failures are rows in the database, so every backend instance sees the same counts.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from backend.models import LoginFailure
from backend.models.base import utcnow


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many failed logins; try again in {retry_after} seconds.")
        self.retry_after = retry_after


def check(
    db: Session, email: str, address: str, *, window: int, per_account: int, per_address: int
) -> None:
    """Raise RateLimited when either counter has reached its limit within the window."""
    for condition, limit in (
        (LoginFailure.email == email, per_account),
        (LoginFailure.address == address, per_address),
    ):
        _check_one(db, condition, limit, window)


def _check_one(db: Session, condition: ColumnElement[bool], limit: int, window: int) -> None:
    now = utcnow()
    count, oldest = db.execute(
        select(func.count(), func.min(LoginFailure.at)).where(
            condition, LoginFailure.at > now - timedelta(seconds=window)
        )
    ).one()
    if count >= limit:
        # Allowed again when the oldest failure in the window falls out of it.
        retry_after = (oldest + timedelta(seconds=window) - now).total_seconds()
        raise RateLimited(max(int(retry_after) + 1, 1))


def record_failure(db: Session, email: str, address: str) -> None:
    db.add(LoginFailure(email=email, address=address))
    db.commit()
