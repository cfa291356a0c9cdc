"""Checking an email and password: one path for the login page and the app API."""

from __future__ import annotations

from flask import current_app, request
from sqlalchemy import select

from backend.db import get_db
from backend.login import throttle
from backend.login.passwords import verify_password
from backend.models import User

# The same words for an unknown account and a wrong password: they reveal nothing.
REFUSED = "Invalid email or password."


class LoginRefused(Exception):
    pass


def check_credentials(email: str, password: str) -> User:
    """The user these credentials belong to; raises LoginRefused or throttle.RateLimited."""
    config = current_app.config
    db = get_db()
    email = email.strip().lower()
    address = request.remote_addr or "unknown"
    throttle.check(
        db, email, address,
        window=config["LOGIN_WINDOW"],
        per_account=config["LOGIN_MAX_FAILURES_PER_ACCOUNT"],
        per_address=config["LOGIN_MAX_FAILURES_PER_ADDRESS"],
    )
    user = db.scalar(select(User).where(User.email == email))
    if not verify_password(user.password_hash if user else None, password):
        throttle.record_failure(db, email, address)
        raise LoginRefused(REFUSED)
    return user
