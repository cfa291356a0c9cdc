"""A registered OAuth client: LivePerson, for one brand account."""

from __future__ import annotations

from sqlalchemy import JSON, String, false, text
from sqlalchemy.orm import Mapped, mapped_column

from backend.models.base import Base
from backend.protocol.redirection import RFC_CONNECTOR


class Client(Base):
    __tablename__ = "clients"

    client_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    # What customers read on the consent page and their account page; None: the client id.
    name: Mapped[str | None] = mapped_column(String(100))
    secret_hash: Mapped[str] = mapped_column(String(64))
    # Compared by exact string match (RFC 9700 §2.1): register every form LivePerson sends.
    redirect_uris: Mapped[list[str]] = mapped_column(JSON)
    pkce_required: Mapped[bool] = mapped_column(default=False)
    allow_plain_pkce: Mapped[bool] = mapped_column(default=False)
    # LivePerson's connector version (protocol/redirection.py): "oauth2", or the legacy "openid",
    # for which redirect URIs are matched less strictly.
    liveperson_connector: Mapped[str] = mapped_column(
        String(10), default=RFC_CONNECTOR, server_default=RFC_CONNECTOR
    )
    # The brand's API scopes it may be granted (protocol/delegation.py); empty: no delegation.
    delegation_scopes: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    # The brand's own for those scopes: no consent page.
    first_party: Mapped[bool] = mapped_column(default=False, server_default=false())

    @property
    def display_name(self) -> str:
        return self.name or self.client_id
