"""`cm.UpdateConversationField` ("Messaging Window API — API Reference — Close Conversation",
"Send Consumer Satisfaction (CSAT)"): `{"conversationId", "conversationField": [...]}`, one
field or an array of them.

- `{"field": "ConversationStateField", "conversationState": "CLOSE"}` closes the conversation
  for both sides (close reason CONSUMER);
- `{"field": "CSATRate", "csatRate": 1..5, "csatResolutionConfirmation", "status"}` rates it.

Every field is checked before any is applied.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared.liveperson.messaging import envelope
from shared.liveperson.messaging.requests import owned
from shared.liveperson.store import NotOpen

if TYPE_CHECKING:
    from shared.liveperson.messaging.connection import Connection

TYPE = "cm.UpdateConversationField"
CSAT_STATUSES = ("FILLED", "PARTIALLY_FILLED", "SKIPPED")


def handle(connection: Connection, request: envelope.Request) -> dict[str, Any]:
    conversation = owned.conversation(connection, envelope.field(request.body, "conversationId", str))
    fields = envelope.field(request.body, "conversationField", (list, dict))
    fields = [fields] if isinstance(fields, dict) else fields
    if not fields:
        raise envelope.Refused(400, "body.conversationField holds at least one field.")
    for given in fields:
        _check(given)
    for given in fields:
        if given["field"] == "ConversationStateField":
            try:
                closed = connection.store.close(conversation.id, "CONSUMER")
            except NotOpen:
                raise envelope.Refused(409, f"Conversation {conversation.id} is already closed.") from None
            connection.after_reply.append(lambda closed=closed: connection.hub.conversation_changed(closed))
        else:
            connection.store.rate(conversation.id, given["csatRate"])
    return envelope.string_response(request.id, 200)


def _check(given: Any) -> None:
    kind = given.get("field") if isinstance(given, dict) else None
    if kind == "ConversationStateField":
        if given.get("conversationState") != "CLOSE":
            raise envelope.Refused(400, "A consumer sets conversationState to CLOSE only.")
    elif kind == "CSATRate":
        rate = given.get("csatRate")
        if not isinstance(rate, int) or isinstance(rate, bool) or not 1 <= rate <= 5:
            raise envelope.Refused(400, "csatRate is an integer from 1 to 5.")
        if given.get("status") not in CSAT_STATUSES:
            raise envelope.Refused(400, f"A CSATRate's status is one of {', '.join(CSAT_STATUSES)}.")
    else:
        raise envelope.Refused(400, "conversationField.field must be ConversationStateField or CSATRate.")
