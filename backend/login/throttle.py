"""Limits on password guessing that an attacker cannot turn against the customer.

- From a browser or app that has logged in to the account before (a device token,
  `devices.py`), failures count against that device only: LOGIN_MAX_FAILURES_PER_DEVICE.
- From anywhere else, failures count against the account and the client address:
  LOGIN_MAX_FAILURES_PER_ACCOUNT and LOGIN_MAX_FAILURES_PER_ADDRESS. Reaching the account's
  limit refuses unknown devices only; the customer's own still get in.
All within LOGIN_WINDOW seconds. Failures are rows in the database, so every instance sees
the same counts. An attempt is recorded as a failure *before* the password is checked and
deleted if it was right, so N simultaneous guesses are counted before any is evaluated: at
most the limit of them ever reach the password hash.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, select
from sqlalchemy.orm import Session

from backend.models import LoginFailure
from backend.models.base import utcnow

_ADDRESS_LENGTH = LoginFailure.__table__.c.address.type.length


class RateLimited(Exception):
    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message.format(wait=_wait(retry_after)))
        self.retry_after = retry_after


@dataclass(frozen=True)
class Limits:
    window: int
    per_account: int
    per_device: int
    per_address: int

    @classmethod
    def from_config(cls, config: Any) -> Limits:
        return cls(config["LOGIN_WINDOW"], config["LOGIN_MAX_FAILURES_PER_ACCOUNT"],
                   config["LOGIN_MAX_FAILURES_PER_DEVICE"], config["LOGIN_MAX_FAILURES_PER_ADDRESS"])


_ACCOUNT = ("This account has had too many failed logins from browsers and apps it has not been "
            "used on. If it is yours, log in from one you have used before, or try again in {wait}.")
_DEVICE = "Too many failed logins from this browser or app. Try again in {wait}."
_ADDRESS = "Too many failed logins from your network. Try again in {wait}."


def reserve(db: Session, email: str, address: str, device: str | None, limits: Limits) -> int:
    """Record this attempt as a failure, then raise RateLimited if that makes one counter go
    over its limit (and forget the attempt). Returns the record, for `release`."""
    now = utcnow()
    attempt = LoginFailure(email=email, address=address[:_ADDRESS_LENGTH], device=device, at=now)
    db.add(attempt)
    db.commit()
    counters: list[tuple[ColumnElement[bool], int, str]]
    if device is not None:
        counters = [(LoginFailure.device == device, limits.per_device, _DEVICE)]
    else:
        unknown = LoginFailure.device.is_(None)
        counters = [(and_(unknown, LoginFailure.email == email), limits.per_account, _ACCOUNT),
                    (and_(unknown, LoginFailure.address == attempt.address), limits.per_address,
                     _ADDRESS)]
    since = now - timedelta(seconds=limits.window)
    for condition, limit, message in counters:
        count, oldest = db.execute(
            select(func.count(), func.min(LoginFailure.at)).where(
                condition, LoginFailure.at > since
            )
        ).one()
        if count > limit:
            release(db, attempt.id)
            # Allowed again when the oldest failure in the window falls out of it.
            retry_after = (oldest + timedelta(seconds=limits.window) - now).total_seconds()
            raise RateLimited(message, max(int(retry_after) + 1, 1))
    return attempt.id


def release(db: Session, attempt: int) -> None:
    """The password was right (or the attempt was refused): it is not a failure."""
    db.execute(delete(LoginFailure).where(LoginFailure.id == attempt))
    db.commit()


def _wait(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} seconds"
    return f"{-(-seconds // 60)} minutes"
