"""`cqm.SubscribeExConversations` ("Messaging Window API — API Reference — Subscribe to
Conversation Metadata"): `{"convState": ["OPEN", "CLOSE"], "minLastUpdatedTime"}`, both
optional; answered `cqm.SubscribeExConversationsResponse` with a `subscriptionId`. Then the
consumer's conversations in those states arrive as one `cqm.ExConversationChangeNotification`,
and each change as it happens: opened, closed (by either side), or stepped up.

A change is an UPSERT of `{"convId", "conversationDetails": {"participants", "state",
"startTs", "endTs"}, "lastUpdateTime"}`; a conversation that stepped up to an authenticated
consumer is a DELETE for the unauthenticated one it left (LivePerson: a logged-out consumer
does not see the authenticated history), and so is one that closed for a subscription to OPEN
conversations only. The stand-in adds `closeReason`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shared.liveperson.messaging import envelope
from shared.liveperson.store.models import Conversation

if TYPE_CHECKING:
    from shared.liveperson.messaging.connection import Connection

TYPE = "cqm.SubscribeExConversations"
NOTIFICATION = "cqm.ExConversationChangeNotification"
STATES = ("OPEN", "CLOSE")


@dataclass(frozen=True)
class ExSubscription:
    id: str
    states: tuple[str, ...]  # the conversation states it reports


def handle(connection: Connection, request: envelope.Request) -> dict[str, Any]:
    body = request.body if request.body is not None else {}
    states = envelope.field(body, "convState", (list, str), required=False) or list(STATES)
    states = [states] if isinstance(states, str) else states  # LivePerson's single-element arrays
    if not states or any(state not in STATES for state in states):
        raise envelope.Refused(400, "body.convState lists OPEN and/or CLOSE.")
    since = envelope.field(body, "minLastUpdatedTime", int, required=False) or 0
    subscription = ExSubscription(str(uuid.uuid4()), tuple(states))
    connection.subscriptions[subscription.id] = subscription
    connection.hub.follow_consumer(connection.consumer_id, connection)
    current = [c for c in connection.store.conversations_of(connection.consumer_id) if _updated(c) >= since]
    matching = [c for c in current if c.state in subscription.states]
    connection.after_reply.append(lambda: _send(connection, subscription, matching))
    return envelope.response(
        request.id, "cqm.SubscribeExConversationsResponse", {"subscriptionId": subscription.id}
    )


def _send(connection: Connection, subscription: ExSubscription, conversations: list[Conversation]) -> None:
    """The first notification, sent even when empty: the client then knows it has them all."""
    changes = _changes(connection, subscription, conversations)
    connection.send(
        envelope.notification(NOTIFICATION, {"subscriptionId": subscription.id, "changes": changes})
    )


def notification(
    connection: Connection, subscription: ExSubscription, conversations: Iterable[Conversation]
) -> dict[str, Any] | None:
    """What `subscription` reports of a change to `conversations`; None when nothing."""
    changes = _changes(connection, subscription, conversations)
    if not changes:
        return None
    return envelope.notification(NOTIFICATION, {"subscriptionId": subscription.id, "changes": changes})


def _changes(
    connection: Connection, subscription: ExSubscription, conversations: Iterable[Conversation]
) -> list[dict[str, Any]]:
    """An UPSERT for each of the consumer's conversations in the subscription's states, a
    DELETE for one that left them or stepped up to another consumer."""
    changes = []
    for conversation in conversations:
        mine = conversation.consumer_id == connection.consumer_id
        if mine and conversation.state in subscription.states:
            agent_id = connection.app.extensions["agent_id"]
            changes.append({"type": "UPSERT", "result": _result(conversation, agent_id)})
        elif mine or conversation.stepped_up_from == connection.consumer_id:
            changes.append({"type": "DELETE", "result": {"convId": conversation.id}})
    return changes


def _result(conversation: Conversation, agent_id: str) -> dict[str, Any]:
    details: dict[str, Any] = {
        "participants": [
            {"id": conversation.consumer_id, "role": "CONSUMER"},
            {"id": agent_id, "role": "ASSIGNED_AGENT"},
        ],
        "state": conversation.state,
        "startTs": _ms(conversation.opened_at),
        "endTs": _ms(conversation.closed_at) if conversation.closed_at else 0,
    }
    if conversation.close_reason:
        details["closeReason"] = conversation.close_reason
    return {
        "convId": conversation.id,
        "conversationDetails": details,
        "lastUpdateTime": _updated(conversation),
    }


def _updated(conversation: Conversation) -> int:
    return _ms(conversation.closed_at or conversation.opened_at)


def _ms(moment: Any) -> int:
    return int(moment.timestamp() * 1000)
