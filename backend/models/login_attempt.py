"""A failed login, counted per account, per client address and per known device to limit
password guessing (`backend/login/throttle.py`).

A row is written before the password is checked, as a reservation, and deleted when the
password was right: so concurrent guesses are counted before any of them is evaluated.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from backend.models.base import Base, utcnow


class LoginFailure(Base):
    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored whether or not such an account exists, so limits reveal nothing about accounts.
    email: Mapped[str] = mapped_column(String(320), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    # The device id of a device token that had logged in to this account before; None for
    # any other client, whose failures count against the account and the address.
    device: Mapped[str | None] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
