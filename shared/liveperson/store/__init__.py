"""The stand-in's records of consumers, conversations and messages (`models.py`), behind the
operations the IdP, the messaging API and the agent API need. Each operation is one short
transaction of its own: the WebSocket connections are long-lived threads, and none of them
holds a session open while it waits for its consumer.

Consumer Delegation's records go with the conversation: closing one deletes the tokens kept for
it and for its consumer, and its pending verification links, in the same transaction
("Consumer Delegation: How It Works": saved "as long as the conversation is active").
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, delete, event, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from shared.liveperson.store.models import (
    Base,
    BotEntry,
    Consumer,
    ConsumerDelegation,
    Conversation,
    ConversationDelegation,
    Message,
    Verification,
)

DATABASE_FILE = "liveperson.sqlite3"


class AlreadyOpen(Exception):
    """The consumer has an open conversation; LivePerson allows one at a time."""

    def __init__(self, conversation_id: str) -> None:
        super().__init__(conversation_id)
        self.conversation_id = conversation_id


class NotOpen(Exception):
    """The conversation is closed, or not there."""


@dataclass(frozen=True)
class Summary:
    conversation: Conversation
    message_count: int


def now() -> datetime:
    return datetime.now(UTC)


class Store:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        Base.metadata.create_all(engine)

    @classmethod
    def in_folder(cls, folder: Path) -> Store:
        """The database file in the stand-in's instance folder, created readable by its owner."""
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = folder / DATABASE_FILE
        path.touch(mode=0o600, exist_ok=True)
        engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(connection: Any, _record: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")  # the agent page reads while sockets write
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return cls(engine)

    def dispose(self) -> None:
        self._engine.dispose()

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with self._sessions() as db, db.begin():
            yield db

    # -- consumers -------------------------------------------------------------------------

    def new_unauthenticated(self) -> Consumer:
        consumer = Consumer(id=str(uuid.uuid4()), claims={}, sdes=[], created_at=now())
        with self._session() as db:
            db.add(consumer)
        return consumer

    def authenticated(
        self, consumer_id: str, iss: str, sub: str, claims: dict[str, Any], sdes: list[Any]
    ) -> Consumer:
        """The brand's customer `sub` as consumer `consumer_id`, the same at every
        authentication; its claims and engagement attributes are those of the latest one."""
        for _ in range(2):  # two first authentications of one customer at once: one insert wins
            try:
                with self._session() as db:
                    consumer = db.get(Consumer, consumer_id)
                    if consumer is None:
                        consumer = Consumer(id=consumer_id, brand_iss=iss, brand_sub=sub, created_at=now())
                        db.add(consumer)
                    consumer.claims, consumer.sdes, consumer.authenticated_at = claims, sdes, now()
                return consumer
            except IntegrityError:
                continue
        raise RuntimeError("the consumer could not be stored")

    def consumer(self, consumer_id: str) -> Consumer | None:
        with self._session() as db:
            return db.get(Consumer, consumer_id)

    # -- conversations ---------------------------------------------------------------------

    def open_conversation(self, consumer_id: str, channel: str) -> Conversation:
        conversation = Conversation(
            id=str(uuid.uuid4()),
            consumer_id=consumer_id,
            state="OPEN",
            channel=channel,
            opened_at=now(),
            next_sequence=0,
        )
        try:
            with self._session() as db:
                db.add(conversation)
        except IntegrityError:
            existing = self.open_conversation_of(consumer_id)
            raise AlreadyOpen(existing.id if existing else "") from None
        return self.conversation(conversation.id)  # type: ignore[return-value]

    def open_conversation_of(self, consumer_id: str) -> Conversation | None:
        with self._session() as db:
            return db.scalar(
                select(Conversation).where(
                    Conversation.consumer_id == consumer_id, Conversation.state == "OPEN"
                )
            )

    def conversation(self, conversation_id: str) -> Conversation | None:
        with self._session() as db:
            return db.get(Conversation, conversation_id)

    def conversations_of(self, consumer_id: str) -> list[Conversation]:
        with self._session() as db:
            return list(
                db.scalars(
                    select(Conversation)
                    .where(Conversation.consumer_id == consumer_id)
                    .order_by(Conversation.opened_at)
                )
            )

    def summaries(self) -> list[Summary]:
        """Every conversation, newest first, with its number of messages (the agent's list)."""
        counts = (
            select(Message.conversation_id, func.count().label("n"))
            .group_by(Message.conversation_id)
            .subquery()
        )
        with self._session() as db:
            rows = db.execute(
                select(Conversation, func.coalesce(counts.c.n, 0))
                .outerjoin(counts, counts.c.conversation_id == Conversation.id)
                .order_by(Conversation.opened_at.desc())
            ).all()
        return [Summary(conversation, count) for conversation, count in rows]

    def close(self, conversation_id: str, reason: str) -> Conversation:
        """Closed, and with it gone the delegated tokens of the conversation and its consumer."""
        with self._session() as db:
            consumer_id = db.execute(
                update(Conversation)
                .where(Conversation.id == conversation_id, Conversation.state == "OPEN")
                .values(state="CLOSE", closed_at=now(), close_reason=reason)
                .returning(Conversation.consumer_id)
            ).scalar()
            if consumer_id is None:
                raise NotOpen(conversation_id)
            _forget_delegations(db, conversation_id)
            db.execute(delete(ConsumerDelegation).where(ConsumerDelegation.consumer_id == consumer_id))
        return self.conversation(conversation_id)  # type: ignore[return-value]

    def rate(self, conversation_id: str, rate: int) -> None:
        with self._session() as db:
            db.execute(update(Conversation).where(Conversation.id == conversation_id).values(csat_rate=rate))

    def step_up(self, unauthenticated_id: str, authenticated_id: str) -> Conversation | None:
        """The unauthenticated consumer's open conversation, with its history, becomes the
        authenticated consumer's. An open conversation the customer already had closes: the one
        they are in now goes on. None when the unauthenticated consumer had none open."""
        with self._session() as db:
            current = db.scalar(
                select(Conversation).where(
                    Conversation.consumer_id == unauthenticated_id, Conversation.state == "OPEN"
                )
            )
            if current is None:
                return None
            earlier = db.execute(
                update(Conversation)
                .where(Conversation.consumer_id == authenticated_id, Conversation.state == "OPEN")
                .values(state="CLOSE", closed_at=now(), close_reason="SYSTEM")
                .returning(Conversation.id)
            ).scalar()
            if earlier is not None:  # the customer's own tokens stay: their conversation goes on
                _forget_delegations(db, earlier)
            current.consumer_id, current.stepped_up_from = authenticated_id, unauthenticated_id
        return self.conversation(current.id)

    # -- messages --------------------------------------------------------------------------

    def add_message(self, conversation_id: str, originator: str, originator_id: str, text: str) -> Message:
        """Append to an open conversation; the sequence number is taken in the same statement
        that checks the conversation is open, so concurrent senders never share one."""
        with self._session() as db:
            taken = db.execute(
                update(Conversation)
                .where(Conversation.id == conversation_id, Conversation.state == "OPEN")
                .values(next_sequence=Conversation.next_sequence + 1)
                .returning(Conversation.next_sequence)
            ).scalar()
            if taken is None:
                raise NotOpen(conversation_id)
            message = Message(
                conversation_id=conversation_id,
                sequence=taken - 1,
                originator=originator,
                originator_id=originator_id,
                text=text,
                at=now(),
            )
            db.add(message)
        return message

    def messages(self, conversation_id: str, from_sequence: int = 0) -> list[Message]:
        with self._session() as db:
            return list(
                db.scalars(
                    select(Message)
                    .where(Message.conversation_id == conversation_id, Message.sequence >= from_sequence)
                    .order_by(Message.sequence)
                )
            )

    # -- Consumer Delegation ---------------------------------------------------------------

    def keep_consumer_delegation(self, kept: ConsumerDelegation) -> None:
        """The consumer's tokens, replacing any kept before; tokens left behind by consumers whose
        session ended without a conversation open go at the same time."""
        with self._session() as db:
            open_consumers = select(Conversation.consumer_id).where(Conversation.state == "OPEN")
            db.execute(
                delete(ConsumerDelegation).where(
                    ConsumerDelegation.session_ends_at < now(),
                    ConsumerDelegation.consumer_id.not_in(open_consumers),
                )
            )
            db.merge(kept)

    def consumer_delegation(self, consumer_id: str) -> ConsumerDelegation | None:
        with self._session() as db:
            return db.get(ConsumerDelegation, consumer_id)

    def renew_consumer_delegation(
        self, consumer_id: str, sealed: str, expires_at: datetime | None, stored_at: datetime
    ) -> bool:
        """Refreshed tokens in place of the old; False when they were deleted meanwhile (the
        conversation closed), and then they stay deleted."""
        with self._session() as db:
            renewed = db.execute(
                update(ConsumerDelegation)
                .where(ConsumerDelegation.consumer_id == consumer_id)
                .values(sealed=sealed, expires_at=expires_at, stored_at=stored_at)
            )
        return bool(renewed.rowcount)  # type: ignore[attr-defined]

    def forget_consumer_delegation(self, consumer_id: str) -> None:
        with self._session() as db:
            db.execute(delete(ConsumerDelegation).where(ConsumerDelegation.consumer_id == consumer_id))

    def keep_conversation_delegation(self, kept: ConversationDelegation) -> bool:
        """The conversation's access token, if the conversation is still open."""
        with self._session() as db:
            conversation = db.get(Conversation, kept.conversation_id)
            if conversation is None or conversation.state != "OPEN":
                return False
            db.merge(kept)
        return True

    def conversation_delegation(self, conversation_id: str) -> ConversationDelegation | None:
        with self._session() as db:
            return db.get(ConversationDelegation, conversation_id)

    def forget_conversation_delegation(self, conversation_id: str) -> None:
        with self._session() as db:
            _forget_tokens(db, conversation_id)

    def add_verification(self, verification: Verification) -> None:
        """A verification link's state; those expired an hour ago go (later, the page can still
        tell an expired link from one the stand-in never made)."""
        with self._session() as db:
            db.execute(delete(Verification).where(Verification.expires_at < now() - timedelta(hours=1)))
            db.add(verification)

    def take_verification(self, state_hash: str) -> Verification | None:
        """The verification the state names, spent in the statement that checks it is unspent
        and unexpired; None when it is not (`verification` tells why)."""
        with self._session() as db:
            taken = db.execute(
                update(Verification)
                .where(
                    Verification.state_hash == state_hash,
                    Verification.used_at.is_(None),
                    Verification.expires_at > now(),
                )
                .values(used_at=now())
                .returning(Verification)
            ).scalar()
        return taken

    def verification(self, state_hash: str) -> Verification | None:
        with self._session() as db:
            return db.get(Verification, state_hash)

    # -- the demo bot ----------------------------------------------------------------------

    def add_bot_entry(self, entry: BotEntry) -> None:
        with self._session() as db:
            db.add(entry)

    def bot_entries(self, conversation_id: str) -> list[BotEntry]:
        with self._session() as db:
            return list(
                db.scalars(
                    select(BotEntry).where(BotEntry.conversation_id == conversation_id).order_by(BotEntry.id)
                )
            )


def _forget_delegations(db: Session, conversation_id: str) -> None:
    """What was delegated in a conversation that closed: its tokens, its pending links."""
    _forget_tokens(db, conversation_id)
    db.execute(delete(Verification).where(Verification.conversation_id == conversation_id))


def _forget_tokens(db: Session, conversation_id: str) -> None:
    owned = ConversationDelegation.conversation_id == conversation_id
    db.execute(delete(ConversationDelegation).where(owned))
