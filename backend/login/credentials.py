"""Checking an email and password: one path for the login page and the app API."""

from __future__ import annotations

from flask import current_app, request
from sqlalchemy import select

from backend.admin.accounts import canonical_email
from backend.db import get_db
from backend.login import devices, throttle
from backend.login.passwords import verify_password
from backend.models import User

# The same words for an unknown account and a wrong password: they reveal nothing.
REFUSED = "Wrong email or password."


class LoginRefused(Exception):
    pass


def check_credentials(email: str, password: str, device_token: str | None) -> User:
    """The user these credentials belong to; raises LoginRefused or throttle.RateLimited.
    `device_token` is the proof of an earlier login the browser or app kept (`devices.py`)."""
    db = get_db()
    email = canonical_email(email)
    user = db.scalar(select(User).where(User.email == email))
    attempt = throttle.reserve(
        db, email, request.remote_addr or "unknown", devices.recognised(device_token, user),
        throttle.Limits.from_config(current_app.config),
    )
    if not verify_password(user.password_hash if user else None, password):
        raise LoginRefused(REFUSED)  # the reserved attempt stays: it is the failure
    throttle.release(db, attempt)
    return user
