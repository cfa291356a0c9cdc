"""The stand-in's records of consumers, conversations and messages (`models.py`), behind the
operations the IdP, the messaging API and the agent API need. Each operation is one short
transaction of its own: the WebSocket connections are long-lived threads, and none of them
holds a session open while it waits for its consumer.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from shared.liveperson.store.models import Base, Consumer, Conversation, Message

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
        with self._session() as db:
            closed = db.execute(
                update(Conversation)
                .where(Conversation.id == conversation_id, Conversation.state == "OPEN")
                .values(state="CLOSE", closed_at=now(), close_reason=reason)
            )
        if closed.rowcount != 1:  # type: ignore[attr-defined]
            raise NotOpen(conversation_id)
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
            db.execute(
                update(Conversation)
                .where(Conversation.consumer_id == authenticated_id, Conversation.state == "OPEN")
                .values(state="CLOSE", closed_at=now(), close_reason="SYSTEM")
            )
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
