"""The consumer's requests, one module each, by LivePerson's type name ("Messaging Window API —
API Reference"). `dispatch` answers one frame: the handler's response, or the string response
with the code and reason of a refusal."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from shared.liveperson.messaging import envelope
from shared.liveperson.messaging.requests import (
    get_clock,
    init_connection,
    publish_event,
    request_conversation,
    subscribe_ex_conversations,
    subscribe_messaging_events,
    unsubscribe_ex_conversations,
    update_conversation_field,
)

if TYPE_CHECKING:
    from shared.liveperson.messaging.connection import Connection

Handler = Callable[["Connection", envelope.Request], dict[str, Any]]
HANDLERS: dict[str, Handler] = {
    module.TYPE: module.handle
    for module in (
        init_connection,
        get_clock,
        request_conversation,
        publish_event,
        subscribe_messaging_events,
        subscribe_ex_conversations,
        unsubscribe_ex_conversations,
        update_conversation_field,
    )
}
# Answered before the consumer has authenticated.
BEFORE_AUTHENTICATION = (init_connection.TYPE, get_clock.TYPE)


def dispatch(connection: Connection, frame: str | bytes) -> dict[str, Any]:
    try:
        request = envelope.parse(frame)
    except envelope.BadFrame as bad:
        return envelope.string_response(bad.request_id, 400, bad.message)
    handler = HANDLERS.get(request.type)
    if handler is None:
        known = ", ".join(sorted(HANDLERS))
        return envelope.string_response(
            request.id, 400, f"Unknown request type {request.type!r}; known: {known}."
        )
    if connection.identity is None and request.type not in BEFORE_AUTHENTICATION:
        return envelope.string_response(
            request.id, 401, "Authenticate first: send InitConnection with the token."
        )
    try:
        return handler(connection, request)
    except envelope.Refused as refused:
        return envelope.string_response(request.id, refused.code, refused.message)
