"""`ms.SubscribeMessagingEvents` ("Messaging Window API — Tutorials — Get Messages"):
`{"dialogId", "fromSeq"}`; answered `.ams.GenericSubscribeResponse`, then the messages from
`fromSeq` on arrive as one `ms.MessagingEventNotification`, and each new one as it is added.
The subscription starts before the history is read, so a message added meanwhile may come
twice, never not at all; clients keep messages by `sequence`.

A change is LivePerson's: `sequence`, `originatorId` (the consumer's id for its own messages,
the agent's or the bot's otherwise), `serverTimestamp` in milliseconds, `event` and `dialogId`; the stand-in
adds `originatorMetadata.role` (CONSUMER or ASSIGNED_AGENT), as LivePerson's agent-side API does.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from shared.liveperson.messaging import envelope
from shared.liveperson.messaging.requests import owned
from shared.liveperson.store.models import Message

if TYPE_CHECKING:
    from shared.liveperson.messaging.connection import Connection

TYPE = "ms.SubscribeMessagingEvents"
NOTIFICATION = "ms.MessagingEventNotification"
# The demo bot speaks as an agent, under its own participant id, as a LivePerson bot does.
ROLES = {"consumer": "CONSUMER", "agent": "ASSIGNED_AGENT", "bot": "ASSIGNED_AGENT"}


def handle(connection: Connection, request: envelope.Request) -> dict[str, Any]:
    conversation = owned.conversation(connection, envelope.field(request.body, "dialogId", str))
    from_sequence = envelope.field(request.body, "fromSeq", int, required=False) or 0
    if from_sequence < 0:
        raise envelope.Refused(400, "body.fromSeq is a sequence number, 0 or more.")
    connection.hub.follow_conversation(conversation.id, connection)
    history = connection.store.messages(conversation.id, from_sequence)
    connection.after_reply.append(lambda: history and connection.send(notification(history)))
    return envelope.response(request.id, ".ams.GenericSubscribeResponse")


def notification(messages: Iterable[Message]) -> dict[str, Any]:
    return envelope.notification(NOTIFICATION, {"changes": [_change(message) for message in messages]})


def _change(message: Message) -> dict[str, Any]:
    return {
        "sequence": message.sequence,
        "originatorId": message.originator_id,
        "originatorMetadata": {"id": message.originator_id, "role": ROLES[message.originator]},
        "serverTimestamp": int(message.at.timestamp() * 1000),
        "event": {"type": "ContentEvent", "contentType": "text/plain", "message": message.text},
        "dialogId": message.conversation_id,
    }
