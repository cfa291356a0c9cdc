"""A brand customer: credentials, OpenID profile claims, LivePerson engagement attributes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.models.base import Base, utcnow


def new_subject() -> str:
    # An opaque, stable, never-reassigned id: LivePerson makes it the customer id.
    return str(uuid.uuid4())


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(64), unique=True, default=new_subject)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(String(200))
    given_name: Mapped[str | None] = mapped_column(String(100))
    family_name: Mapped[str | None] = mapped_column(String(100))
    preferred_username: Mapped[str | None] = mapped_column(String(100))
    phone_number: Mapped[str | None] = mapped_column(String(40))
    email_verified: Mapped[bool] = mapped_column(default=False)
    phone_number_verified: Mapped[bool] = mapped_column(default=False)
    # LivePerson authenticated engagement attributes, the documented array of SDE objects.
    lp_sdes: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def profile(self) -> dict[str, Any]:
        """The user as the JSON API shows it to the user's own apps."""
        return {
            "sub": self.subject,
            "email": self.email,
            "name": self.name,
            "given_name": self.given_name,
            "family_name": self.family_name,
            "phone_number": self.phone_number,
        }
