"""`cm.ConsumerRequestConversation` ("Messaging Window API — API Reference — New Conversation"):
open a conversation with the brand; answered `cm.RequestConversationResponse` with its
`conversationId`. The body (`channelType`, `brandId`, `campaignInfo`, `conversationContext`,
`ttrDefName`) is optional and, past being an object, not used by the stand-in. A consumer has
one open conversation at a time: a second request is refused 409 with the open one's id."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared.liveperson.messaging import envelope
from shared.liveperson.store import AlreadyOpen

if TYPE_CHECKING:
    from shared.liveperson.messaging.connection import Connection

TYPE = "cm.ConsumerRequestConversation"


def handle(connection: Connection, request: envelope.Request) -> dict[str, Any]:
    if request.body is not None and not isinstance(request.body, dict):
        raise envelope.Refused(400, "The body, when sent, is a JSON object (channelType, campaignInfo, ...).")
    try:
        conversation = connection.store.open_conversation(connection.consumer_id, connection.channel)
    except AlreadyOpen as open_one:
        raise envelope.Refused(
            409, f"The consumer already has an open conversation: {open_one.conversation_id}."
        ) from None
    connection.after_reply.append(lambda: connection.hub.conversation_changed(conversation))
    return envelope.response(
        request.id, "cm.RequestConversationResponse", {"conversationId": conversation.id}
    )
