"""What LivePerson keeps of a conversation, in the stand-in's own database (SQLite in its
instance folder, so conversations survive a restart).

- `Consumer`: a LivePerson consumer. An unauthenticated one is only an id handed out by
  `signup`; an authenticated one is the brand's customer, known by the id_token's `iss` and
  `sub`, with the claims and engagement attributes (`lp_sdes`) of the latest authentication.
- `Conversation`: between one consumer and the brand's agents; OPEN until either side closes it.
- `Message`: one line of a conversation, numbered from 0 (`sequence`, as LivePerson numbers
  the events of a dialog).

Consumer Delegation (LivePerson's "Consumer Delegation" pages), the brand's tokens sealed
(`shared/liveperson/delegation/sealing.py`: nothing here is readable without the key file):

- `ConsumerDelegation`: an authenticated consumer's access, refresh and id tokens, "stored within
  the context of the consumer id" ("Introduction"), while the consumer has an open conversation.
- `ConversationDelegation`: the access token of a verification link in one conversation, "not
  shared with other conversations" ("Introduction", unauthenticated conversations).
- `Verification`: a verification link not yet followed: its one-time `state` (by hash) and the
  PKCE verifier, bound to the conversation.
- `BotEntry`: what the demo bot did besides speaking (an API call, a handover), for the agent.
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
    originator: Mapped[str] = mapped_column(String(8))  # "consumer", "agent" or "bot"
    originator_id: Mapped[str] = mapped_column(String(64))  # the consumer's id, or the agent's
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]


class _Sealed:
    """The brand's tokens as one sealed JSON object, and what may be known without opening it."""

    sealed: Mapped[str] = mapped_column(Text)  # Fernet token (delegation/sealing.py)
    scope: Mapped[str | None] = mapped_column(Text)  # as the brand granted it
    expires_at: Mapped[datetime | None]  # the access token's; None when the brand did not say
    stored_at: Mapped[datetime]  # when the access token was granted: its lifetime starts here


class ConsumerDelegation(_Sealed, Base):
    __tablename__ = "consumer_delegations"

    consumer_id: Mapped[str] = mapped_column(ForeignKey("consumers.id"), primary_key=True)
    # The consumer's session at LivePerson (its token expires with the id_token): until then the
    # tokens wait for a conversation to open; after, they go with the conversation.
    session_ends_at: Mapped[datetime]


class ConversationDelegation(_Sealed, Base):
    __tablename__ = "conversation_delegations"

    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), primary_key=True)


class Verification(Base):
    __tablename__ = "verifications"

    state_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the state
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    sealed_verifier: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class BotEntry(Base):
    __tablename__ = "bot_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    after_sequence: Mapped[int]  # the message the bot was answering
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(16))  # "api-call" or "handover"
    method: Mapped[str | None] = mapped_column(String(8))
    url: Mapped[str | None] = mapped_column(Text)
    status: Mapped[int | None]  # None: the brand did not answer
    orders: Mapped[int | None]  # how many orders the answer listed
    note: Mapped[str] = mapped_column(Text)  # one sentence: what happened
