"""What LivePerson keeps of a conversation, in the stand-in's own database (SQLite in its
instance folder, so conversations survive a restart).

- `Consumer`: a LivePerson consumer. An unauthenticated one is only an id handed out by
  `signup`; an authenticated one is the brand's customer, known by the id_token's `iss` and
  `sub`, with the claims and engagement attributes (`lp_sdes`) of the latest authentication.
- `Conversation`: between one consumer and the brand's agents; OPEN until either side closes it.
- `Message`: one line of a conversation, numbered from 0 (`sequence`, as LivePerson numbers
  the events of a dialog).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from shared.utc_datetime import UTCDateTime


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}  # noqa: RUF012
    metadata = MetaData()


class Consumer(Base):
    __tablename__ = "consumers"
    __table_args__ = (UniqueConstraint("brand_iss", "brand_sub"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # LivePerson's consumer id
    brand_iss: Mapped[str | None] = mapped_column(Text)  # None: an unauthenticated consumer
    brand_sub: Mapped[str | None] = mapped_column(Text)
    claims: Mapped[dict[str, Any]] = mapped_column(default=dict)  # what the agent is shown
    sdes: Mapped[list[Any]] = mapped_column(default=list)  # lp_sdes, as the brand sent them
    created_at: Mapped[datetime]
    authenticated_at: Mapped[datetime | None]

    @property
    def authenticated(self) -> bool:
        return self.brand_sub is not None


class Conversation(Base):
    __tablename__ = "conversations"
    # One open conversation per consumer, as LivePerson allows: a second request is refused.
    __table_args__ = (
        Index("one_open_per_consumer", "consumer_id", unique=True, sqlite_where=text("state = 'OPEN'")),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    consumer_id: Mapped[str] = mapped_column(ForeignKey("consumers.id"))
    state: Mapped[str] = mapped_column(String(5))  # "OPEN" or "CLOSE", LivePerson's words
    channel: Mapped[str] = mapped_column(String(16))  # "web", "popout" or "mobile"
    opened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    close_reason: Mapped[str | None] = mapped_column(String(16))  # "CONSUMER", "AGENT"
    # Set when an unauthenticated conversation stepped up: the consumer it started with.
    stepped_up_from: Mapped[str | None] = mapped_column(String(36))
    next_sequence: Mapped[int] = mapped_column(default=0)  # taken atomically by each message
    csat_rate: Mapped[int | None]  # the consumer's satisfaction, 1 to 5, once rated

    consumer: Mapped[Consumer] = relationship(lazy="joined")
    messages: Mapped[list[Message]] = relationship(order_by="Message.sequence", lazy="raise")


class Message(Base):
    __tablename__ = "messages"

    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), primary_key=True)
    sequence: Mapped[int] = mapped_column(primary_key=True)
    originator: Mapped[str] = mapped_column(String(8))  # "consumer" or "agent"
    originator_id: Mapped[str] = mapped_column(String(64))  # the consumer's id, or the agent's
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]
