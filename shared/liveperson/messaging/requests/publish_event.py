"""`ms.PublishEvent` ("Messaging Window API — API Reference — Publish Content", "Tutorials —
Read and Accept Events"): `{"dialogId", "event"}`.

- `ContentEvent` with `contentType` "text/plain": a message, stored with the next sequence
  number and pushed to the conversation's subscribers; answered `ms.PublishEventResponse`
  with its `sequence`.
- `AcceptStatusEvent` (`status`, `sequenceList`) and `ChatStateEvent` (`chatState`): checked and
  acknowledged; the stand-in's agent workspace does not show them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared.liveperson.messaging import envelope, text
from shared.liveperson.messaging.requests import owned
from shared.liveperson.store import NotOpen

if TYPE_CHECKING:
    from shared.liveperson.messaging.connection import Connection

TYPE = "ms.PublishEvent"
ACCEPT_STATUSES = ("ACCEPT", "READ", "ACCESS", "NACK", "ACTION")
CHAT_STATES = ("ACTIVE", "INACTIVE", "GONE", "COMPOSING", "PAUSE")


def handle(connection: Connection, request: envelope.Request) -> dict[str, Any]:
    conversation = owned.conversation(connection, envelope.field(request.body, "dialogId", str))
    event = envelope.field(request.body, "event", dict)
    kind = event.get("type")
    if kind == "ContentEvent":
        if event.get("contentType", "text/plain") != "text/plain":
            raise envelope.Refused(400, "The stand-in's agents read text/plain content only.")
        message = text.checked(event.get("message"), "event.message")
        try:
            stored = connection.store.add_message(
                conversation.id, "consumer", connection.consumer_id, message
            )
        except NotOpen:
            raise envelope.Refused(409, f"Conversation {conversation.id} is closed.") from None
        connection.after_reply.append(lambda: connection.hub.message_added(stored))
        return envelope.response(request.id, "ms.PublishEventResponse", {"sequence": stored.sequence})
    if kind == "AcceptStatusEvent":
        sequences = event.get("sequenceList")
        if (
            event.get("status") not in ACCEPT_STATUSES
            or not isinstance(sequences, list)
            or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in sequences)
        ):
            raise envelope.Refused(
                400,
                f"An AcceptStatusEvent has a status ({', '.join(ACCEPT_STATUSES)}) "
                "and a sequenceList of message sequence numbers.",
            )
        return envelope.string_response(request.id, 200)
    if kind == "ChatStateEvent":
        if event.get("chatState") not in CHAT_STATES:
            raise envelope.Refused(400, f"A ChatStateEvent's chatState is one of {', '.join(CHAT_STATES)}.")
        return envelope.string_response(request.id, 200)
    raise envelope.Refused(400, "event.type must be ContentEvent, AcceptStatusEvent or ChatStateEvent.")
