"""The requests the SDK sends on the consumer socket and the notifications it reads, by
LivePerson's type names ("Messaging Window API — API Reference"; the stand-in's
`shared/liveperson/messaging/requests/` answers each).

Notifications are read defensively: an entry the SDK does not understand (another event type, a
field missing) is skipped, never fatal to the socket.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.messaging_sdk.conversation import CLOSE, OPEN, Message

GET_CLOCK = "GetClock"
REQUEST_CONVERSATION = "cm.ConsumerRequestConversation"
UPDATE_CONVERSATION_FIELD = "cm.UpdateConversationField"
PUBLISH_EVENT = "ms.PublishEvent"
SUBSCRIBE_MESSAGING_EVENTS = "ms.SubscribeMessagingEvents"
MESSAGING_EVENT_NOTIFICATION = "ms.MessagingEventNotification"
SUBSCRIBE_EX_CONVERSATIONS = "cqm.SubscribeExConversations"
EX_CONVERSATION_CHANGE_NOTIFICATION = "cqm.ExConversationChangeNotification"


def subscribe_ex_conversations() -> dict[str, Any]:
    """Open and closed ones: a close then comes as an UPSERT with its `closeReason` (with OPEN
    alone it would be a bare DELETE, which also means "stepped up to another consumer")."""
    return {"convState": [OPEN, CLOSE]}


def subscribe_messaging_events(conversation_id: str, from_sequence: int) -> dict[str, Any]:
    return {"dialogId": conversation_id, "fromSeq": from_sequence}


def text_event(conversation_id: str, text: str) -> dict[str, Any]:
    return {
        "dialogId": conversation_id,
        "event": {"type": "ContentEvent", "contentType": "text/plain", "message": text},
    }


def close_conversation(conversation_id: str) -> dict[str, Any]:
    return {
        "conversationId": conversation_id,
        "conversationField": [{"field": "ConversationStateField", "conversationState": CLOSE}],
    }


@dataclass(frozen=True)
class ConversationChange:
    """One entry of `cqm.ExConversationChangeNotification`: an UPSERT (`state`, `close_reason`)
    or a DELETE (`deleted`: no longer this consumer's, e.g. stepped up to another)."""

    conversation_id: str
    deleted: bool = False
    state: str | None = None
    close_reason: str | None = None


def conversation_changes(body: Any) -> list[ConversationChange]:
    changes = []
    for change in _list(body, "changes"):
        result = change.get("result") if isinstance(change, dict) else None
        conversation_id = result.get("convId") if isinstance(result, dict) else None
        if not isinstance(conversation_id, str):
            continue
        if change.get("type") == "DELETE":
            changes.append(ConversationChange(conversation_id, deleted=True))
            continue
        details = result.get("conversationDetails")
        if isinstance(details, dict) and details.get("state") in (OPEN, CLOSE):
            reason = details.get("closeReason")
            changes.append(
                ConversationChange(
                    conversation_id,
                    state=details["state"],
                    close_reason=reason if isinstance(reason, str) else None,
                )
            )
    return changes


def messages(body: Any) -> list[Message]:
    """The text messages among the changes: ContentEvents of text/plain."""
    found = []
    for change in _list(body, "changes"):
        if not isinstance(change, dict):
            continue
        event, metadata = change.get("event"), change.get("originatorMetadata")
        if not isinstance(event, dict) or event.get("type") != "ContentEvent":
            continue
        role = metadata.get("role") if isinstance(metadata, dict) else None
        fields = (
            change.get("dialogId"),
            change.get("sequence"),
            event.get("message"),
            role,
            change.get("originatorId"),
            change.get("serverTimestamp"),
        )
        if all(
            isinstance(value, kind)
            for value, kind in zip(fields, (str, int, str, str, str, int), strict=True)
        ):
            found.append(Message(*fields))
    return found


def _list(body: Any, name: str) -> list[Any]:
    value = body.get(name) if isinstance(body, dict) else None
    return value if isinstance(value, list) else []
