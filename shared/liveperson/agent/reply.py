"""The body of the agent's reply, `POST /api/agent/conversations/<id>/messages`: `{"text": "..."}`.

Read as any other body the stand-in receives (shared/validation/safe_json.py: bounded, no
lone surrogates, no repeated members), then the text by the rule a consumer's message follows
too (shared/liveperson/messaging/text.py).

Plain Python: no Flask.
"""

from __future__ import annotations

from shared.liveperson.messaging import text as message_text
from shared.validation.safe_json import JsonRejected, loads_object

# Bytes: the longest text written as JSON escapes of surrogate pairs (12 bytes each), plus room.
BODY_LIMIT = message_text.MAX_LENGTH * 12 + 1024
_EXPECTED = 'Send JSON {"text": "..."}'


class BadReply(ValueError):
    """The body is not a reply; the message is one sentence saying what to send instead."""


def read(body: bytes) -> str:
    """The reply's text, or BadReply."""
    try:
        document = loads_object(body, limit=BODY_LIMIT)
    except JsonRejected as error:
        raise BadReply(f"{_EXPECTED}; the body {error}.") from None
    text = document.get("text")
    if text is None:
        raise BadReply(f"{_EXPECTED}; the body has no text.")
    reason = message_text.problem(text)
    if reason is not None:
        raise BadReply(reason)
    return str(text)
