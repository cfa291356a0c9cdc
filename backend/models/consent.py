"""What a customer allowed a client on the consent page: the brand's API scopes it may act with
(`protocol/delegation.py`), remembered until the customer revokes it on the account page."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.models.base import Base


class Consent(Base):
    __tablename__ = "consents"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    client_id: Mapped[str] = mapped_column(
        ForeignKey("clients.client_id", ondelete="CASCADE"), primary_key=True
    )
    scope: Mapped[str] = mapped_column(String(500))  # space-separated API scopes
    granted_at: Mapped[datetime]
