"""What the stand-in accepted: authenticated conversations, and every exchange (kept in memory,
newest first; the stand-in is a single development process)."""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from shared.validation.authenticate import Exchange

KEEP = 500  # exchanges kept for the inspector


@dataclass(frozen=True)
class Conversation:
    conversation_id: str
    channel: str
    flow: str
    sub: str
    at: float
    expires_at: int


class Conversations:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._conversations: list[Conversation] = []
        self._exchanges: deque[Exchange] = deque(maxlen=KEEP)

    def record(self, exchange: Exchange) -> Conversation | None:
        """Keep the exchange; open a conversation when it authenticated the customer."""
        with self._lock:
            self._exchanges.appendleft(exchange)
            if exchange.result is None:
                return None
            conversation = Conversation(
                conversation_id=secrets.token_hex(8),
                channel=exchange.channel,
                flow=exchange.flow,
                sub=exchange.result["sub"],
                at=time.time(),
                expires_at=exchange.result["expires_at"],
            )
            self._conversations.append(conversation)
            return conversation

    def conversations(self) -> list[Conversation]:
        with self._lock:
            return list(self._conversations)

    def exchanges(self) -> list[Exchange]:
        with self._lock:
            return list(self._exchanges)

    def as_dicts(self) -> list[dict[str, Any]]:
        return [vars(conversation) for conversation in self.conversations()]
