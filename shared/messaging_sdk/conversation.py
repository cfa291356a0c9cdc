"""What the SDK holds of a conversation: the conversation itself, as LivePerson's
`cqm.ExConversationChangeNotification` describes it, and its messages, as
`ms.MessagingEventNotification` delivers them ("Messaging Window API — API Reference").

A conversation belongs to a LivePerson consumer (`consumer_id`, the consumer token's `sub`); an
authenticated consumer is the brand's customer `customer_id` (the token's `lp.ext.sub`). It is
OPEN until either side closes it; then `state` is CLOSE and `close_reason` says who
(CONSUMER, AGENT, or SYSTEM when a step-up replaced it).
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.messaging_sdk.authentication import AuthType

OPEN = "OPEN"
CLOSE = "CLOSE"
CONSUMER = "CONSUMER"  # a message's role when the consumer wrote it; else the agent's role


@dataclass(frozen=True)
class Conversation:
    conversation_id: str
    consumer_id: str
    customer_id: str | None  # None: an unauthenticated consumer
    flow: str | None  # how the customer authenticated: "code", "implicit"; None when UN_AUTH
    expires_at: int  # the consumer token's `exp`, seconds since the epoch
    state: str = OPEN
    close_reason: str | None = None

    @property
    def authenticated(self) -> bool:
        return self.customer_id is not None

    @property
    def type(self) -> AuthType:
        return AuthType.AUTH if self.authenticated else AuthType.UN_AUTH

    @property
    def resolved(self) -> bool:
        return self.state == CLOSE


@dataclass(frozen=True)
class Message:
    """One ContentEvent of the conversation, numbered by LivePerson (`sequence`, from 0)."""

    conversation_id: str
    sequence: int
    text: str
    role: str  # "CONSUMER", or the agent's role ("ASSIGNED_AGENT")
    originator_id: str
    server_timestamp: int  # milliseconds since the epoch

    @property
    def from_consumer(self) -> bool:
        return self.role == CONSUMER
