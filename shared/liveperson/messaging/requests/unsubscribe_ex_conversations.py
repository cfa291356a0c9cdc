"""`cqm.UnsubscribeExConversations`: `{"subscriptionId"}`; no more changes for it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared.liveperson.messaging import envelope

if TYPE_CHECKING:
    from shared.liveperson.messaging.connection import Connection

TYPE = "cqm.UnsubscribeExConversations"


def handle(connection: Connection, request: envelope.Request) -> dict[str, Any]:
    subscription = envelope.field(request.body, "subscriptionId", str)
    if connection.subscriptions.pop(subscription, None) is None:
        raise envelope.Refused(404, f"No subscription {subscription!r} on this socket.")
    return envelope.string_response(request.id, 200)
