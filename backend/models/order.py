"""A customer's order: the data of the demo brand API (`GET /api/v1/orders`) that LivePerson's
bots read for the customer with a delegated access token."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.models.base import Base


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    placed_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(String(200))
    total_cents: Mapped[int]  # whole cents: no float rounding in a price
    currency: Mapped[str] = mapped_column(String(3))  # ISO 4217

    def as_json(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "placed_at": self.placed_at.isoformat().replace("+00:00", "Z"),
            "status": self.status,
            "description": self.description,
            "total": f"{self.total_cents // 100}.{self.total_cents % 100:02d}",
            "currency": self.currency,
        }
