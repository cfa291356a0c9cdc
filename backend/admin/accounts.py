"""Customer accounts: created by the operator (`create-user`, `seed-demo`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.admin import Refused
from backend.login.passwords import MIN_LENGTH, hash_password
from backend.models import User
from backend.models.base import utcnow
from shared.validation.sdes import lp_sdes_problem


def canonical_email(email: str) -> str:
    """One account per address however it is typed: the login looks accounts up this way too."""
    return email.strip().lower()


def checked_email(email: str) -> str:
    email = canonical_email(email)
    local, at, domain = email.partition("@")
    if not (local and at and "." in domain) or any(char.isspace() for char in email):
        raise Refused("EMAIL", f"{email!r} is not an email address.")
    return email


def checked_sdes(value: Any) -> list[dict[str, Any]]:
    problem = lp_sdes_problem(value)
    if problem:
        raise Refused("--lp-sdes", problem)
    return value


def create_user(db: Session, email: str, password: str, lp_sdes: list[dict[str, Any]] | None,
                profile: dict[str, str | None], given_by: str = "--password") -> User:
    email = checked_email(email)
    if len(password) < MIN_LENGTH:
        raise Refused(given_by, f"at least {MIN_LENGTH} characters.")
    if db.scalar(select(User.id).where(User.email == email)) is not None:
        raise Refused(None, f"A user {email} already exists; nothing changed.")
    user = User(email=email, password_hash=hash_password(password), lp_sdes=lp_sdes,
                updated_at=utcnow(), **profile)
    db.add(user)
    db.commit()
    return user
