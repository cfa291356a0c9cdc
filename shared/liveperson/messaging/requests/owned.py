"""The conversation a request names, if it is the consumer's: another consumer's is answered
as one that does not exist, so ids cannot be probed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.liveperson.messaging import envelope
from shared.liveperson.store.models import Conversation

if TYPE_CHECKING:
    from shared.liveperson.messaging.connection import Connection


def conversation(connection: Connection, conversation_id: str) -> Conversation:
    found = connection.store.conversation(conversation_id)
    if found is None or found.consumer_id != connection.consumer_id:
        raise envelope.Refused(404, f"This consumer has no conversation {conversation_id!r}.")
    return found
