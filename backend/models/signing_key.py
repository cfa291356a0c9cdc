"""An RSA signing key for id_tokens; the private part is encrypted at rest."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.models.base import Base


class SigningKey(Base):
    __tablename__ = "signing_keys"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    encrypted_private_pem: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    # Published in the JWKS from `created_at`, used for signing from `activates_at`: every
    # process publishes a rotated key before any process signs with it.
    activates_at: Mapped[datetime] = mapped_column(index=True)
