"""Who is listening, in this process: the consumers' open sockets, by conversation (their
`ms.SubscribeMessagingEvents`) and by consumer (their `cqm.SubscribeExConversations`), and
whoever follows every conversation's messages (the demo bot, `bot/`). Whoever changes a
conversation (a consumer's socket, the agent API, the bot) tells the hub, and every listener
subscribed at that moment turns the change into its notification. The stand-in is one process,
so this in-memory registry sees every socket."""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from typing import Protocol

from shared.liveperson.store.models import Conversation, Message

logger = logging.getLogger(__name__)


class MessageListener(Protocol):
    def message_added(self, message: Message) -> None:
        """A message joined a conversation this listener follows."""


class Listener(MessageListener, Protocol):
    def conversation_changed(self, conversation: Conversation) -> None:
        """A conversation of a consumer this listener follows opened, closed or changed hands."""


class Hub:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_conversation: dict[str, set[Listener]] = defaultdict(set)
        self._by_consumer: dict[str, set[Listener]] = defaultdict(set)
        self._everywhere: set[MessageListener] = set()

    def follow_conversation(self, conversation_id: str, listener: Listener) -> None:
        with self._lock:
            self._by_conversation[conversation_id].add(listener)

    def follow_consumer(self, consumer_id: str, listener: Listener) -> None:
        with self._lock:
            self._by_consumer[consumer_id].add(listener)

    def follow_all(self, listener: MessageListener) -> None:
        """Every message of every conversation, from now on."""
        with self._lock:
            self._everywhere.add(listener)

    def forget(self, listener: Listener) -> None:
        """A socket closed: it hears nothing more."""
        with self._lock:
            for registry in (self._by_conversation, self._by_consumer):
                for key in [key for key, listeners in registry.items() if listener in listeners]:
                    registry[key].discard(listener)
                    if not registry[key]:
                        del registry[key]

    def message_added(self, message: Message) -> None:
        with self._lock:
            everywhere = list(self._everywhere)
        for listener in [*self._listeners(self._by_conversation, message.conversation_id), *everywhere]:
            _tell(lambda listener=listener: listener.message_added(message))

    def conversation_changed(self, conversation: Conversation, *consumer_ids: str) -> None:
        """Tell the conversation's consumer, and `consumer_ids` besides (the one it stepped up from)."""
        listeners: set[Listener] = set()
        for consumer_id in (conversation.consumer_id, *consumer_ids):
            listeners.update(self._listeners(self._by_consumer, consumer_id))
        for listener in listeners:
            _tell(lambda listener=listener: listener.conversation_changed(conversation))

    def _listeners(self, registry: dict[str, set[Listener]], key: str) -> list[Listener]:
        with self._lock:
            return list(registry.get(key, ()))


def _tell(notify: Callable[[], None]) -> None:
    """The change is stored already: one socket that fails to hear of it must not fail the
    request that made it, nor keep the other sockets from hearing."""
    try:
        notify()
    except Exception:
        logger.exception("A socket could not be notified of a change")
