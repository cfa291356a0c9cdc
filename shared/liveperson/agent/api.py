"""The agent's JSON API, `/api/agent/…`: what the workspace page (`/agent`, static/agent.js)
reads and does, and what a test or script can do as the brand's agent.

- `GET  /api/agent/conversations`: `{"conversations": [conversation, …]}`, newest first.
- `GET  /api/agent/conversations/<id>`: the conversation, its `messages` listed, and what the
  demo bot did in it besides speaking, `botActivity` (agent-only: never sent to the consumer).
- `POST /api/agent/conversations/<id>/messages` `{"text": "..."}`: the agent replies (201, the message).
- `POST /api/agent/conversations/<id>/close`: the agent closes it (200, the conversation).

A conversation is `{"conversationId", "state" ("OPEN" | "CLOSE"), "authenticated", "consumer",
"sdes", "channel", "messages" (a count), "openedAt", "closedAt", "closeReason", "steppedUp"}`:
`consumer` is what LivePerson shows the agent of the consumer (profile.py; `customerId` null for
an unauthenticated visitor), `sdes` the brand's `lp_sdes` array as it came (`[]` if none). A
message is `{"sequence", "from" ("consumer" | "agent" | "bot"), "text", "at"}`. A bot activity
is `{"kind" ("api-call" | "handover"), "afterSequence" (the message the bot was answering),
"method", "url", "status" (null: no answer), "orders" (how many the answer listed), "note", "at"}`.
Times are ISO 8601 UTC.

Every change is told to the hub (messaging/hub.py), which passes it to the consumer's open
sockets: a reply reaches the consumer's window at once, a close ends their conversation.

Errors are `{"error": <short name>, "message": <one sentence>}`: 400 for a bad body, 403 for a
request from another origin, 404 for an unknown conversation, 409 for a closed one, 413 and 415
for an oversized or non-JSON body.

Same origin only: no CORS header is ever sent, so no other page can read the conversations, and
only at the stand-in's own name (private_views.py), so no page can rebind its name to read them.
Since a page can still *send* a POST elsewhere without reading the answer, the two POSTs also
refuse a foreign `Origin` and the reply requires `Content-Type: application/json`, which no
cross-origin form or preflight-free fetch can send: a page the developer has open elsewhere
cannot speak or close conversations as the agent.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from shared.liveperson.agent import reply
from shared.liveperson.agent.profile import consumer_profile
from shared.liveperson.store import NotOpen, Store
from shared.liveperson.store.models import BotEntry, Conversation, Message

bp = Blueprint("api", __name__, url_prefix="/api/agent")


class _Refused(Exception):
    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error, self.message = status, error, message


@bp.errorhandler(_Refused)
def _refused(refusal: _Refused) -> ResponseReturnValue:
    return jsonify(error=refusal.error, message=refusal.message), refusal.status


@bp.before_request
def _same_origin_writes() -> None:
    """A POST from another origin is refused before it touches anything (see the module's docstring)."""
    if request.method != "POST":
        return
    origin = request.headers.get("Origin")
    if origin is not None and origin != request.host_url.rstrip("/"):
        raise _Refused(403, "cross_origin", "The agent API only answers the stand-in's own pages.")


# -- reading -------------------------------------------------------------------------------


@bp.get("/conversations")
def conversations() -> ResponseReturnValue:
    summaries = _store().summaries()
    return jsonify(conversations=[conversation_json(s.conversation, s.message_count) for s in summaries])


@bp.get("/conversations/<conversation_id>")
def conversation(conversation_id: str) -> ResponseReturnValue:
    found = _existing(conversation_id)
    messages = _store().messages(found.id)
    activity = [bot_entry_json(entry) for entry in _store().bot_entries(found.id)]
    return jsonify({**conversation_json(found, [message_json(m) for m in messages]), "botActivity": activity})


# -- acting as the agent -------------------------------------------------------------------


@bp.post("/conversations/<conversation_id>/messages")
def send(conversation_id: str) -> ResponseReturnValue:
    found = _existing(conversation_id)  # the URL is judged before the body: 404, then 409
    if found.state != "OPEN":
        raise _closed(found.id)
    if request.mimetype != "application/json":
        raise _Refused(415, "unsupported_media_type", "Send the reply as Content-Type: application/json.")
    body = request.stream.read(reply.BODY_LIMIT + 1)
    if len(body) > reply.BODY_LIMIT:
        raise _Refused(413, "too_large", f"The body is larger than {reply.BODY_LIMIT} bytes.")
    try:
        text = reply.read(body)
    except reply.BadReply as bad:
        raise _Refused(400, "bad_request", str(bad)) from None
    try:
        message = _store().add_message(found.id, "agent", current_app.extensions["agent_id"], text)
    except NotOpen:
        raise _closed(found.id) from None
    current_app.extensions["hub"].message_added(message)
    return jsonify(message_json(message)), 201


@bp.post("/conversations/<conversation_id>/close")
def close(conversation_id: str) -> ResponseReturnValue:
    found = _existing(conversation_id)
    try:
        closed = _store().close(found.id, "AGENT")
    except NotOpen:
        raise _closed(found.id) from None
    current_app.extensions["hub"].conversation_changed(closed)
    return jsonify(conversation_json(closed, len(_store().messages(closed.id))))


# -- shapes --------------------------------------------------------------------------------


def conversation_json(conversation: Conversation, messages: int | list[dict[str, Any]]) -> dict[str, Any]:
    """The conversation as the API shows it; `messages` is a count in the list, the messages
    themselves in the detail."""
    consumer = conversation.consumer
    return {
        "conversationId": conversation.id,
        "state": conversation.state,
        "authenticated": consumer.authenticated,
        "consumer": consumer_profile(consumer),
        "sdes": consumer.sdes if consumer.authenticated and isinstance(consumer.sdes, list) else [],
        "channel": conversation.channel,
        "messages": messages,
        "openedAt": _time(conversation.opened_at),
        "closedAt": _time(conversation.closed_at),
        "closeReason": conversation.close_reason,
        "steppedUp": conversation.stepped_up_from is not None,
    }


def message_json(message: Message) -> dict[str, Any]:
    return {
        "sequence": message.sequence,
        "from": message.originator,
        "text": message.text,
        "at": _time(message.at),
    }


def bot_entry_json(entry: BotEntry) -> dict[str, Any]:
    return {
        "kind": entry.kind,
        "afterSequence": entry.after_sequence,
        "method": entry.method,
        "url": entry.url,
        "status": entry.status,
        "orders": entry.orders,
        "note": entry.note,
        "at": _time(entry.at),
    }


def _time(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# -- helpers -------------------------------------------------------------------------------


def _store() -> Store:
    return current_app.extensions["store"]


def _existing(conversation_id: str) -> Conversation:
    found = _store().conversation(conversation_id) if _plausible(conversation_id) else None
    if found is None:
        raise _Refused(404, "not_found", f"There is no conversation {conversation_id[:64]!r}.")
    return found


def _plausible(conversation_id: str) -> bool:
    """Ids are UUIDs; anything far longer, or not text SQLite can bind, is no conversation."""
    return len(conversation_id) <= 64 and conversation_id.isprintable()


def _closed(conversation_id: str) -> _Refused:
    # NotOpen also means "gone"; it never is, conversations are not deleted, but say which.
    if _store().conversation(conversation_id) is None:
        return _Refused(404, "not_found", f"There is no conversation {conversation_id!r}.")
    return _Refused(409, "closed", "The conversation is closed; a closed conversation is read-only.")
