"""The frames of LivePerson's consumer WebSocket ("Messaging Window API — Protocol Overview"):
JSON objects of `kind` "req" (`id`, `type`, `body`), "resp" (`reqId`, `type`, `code` with
HTTP's meaning, `body`) and "notification" (`type`, `body`).

A request that cannot be served is answered, never dropped: a `Refused` raised by a handler,
and a frame that is not a request at all, become the generic string response
(`.ReqBody$StringResp`) with the code and a sentence saying why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.validation.safe_json import JsonRejected, loads

FRAME_LIMIT = 64 * 1024  # bytes; a text message is at most 10,000 characters
STRING_RESPONSE = ".ReqBody$StringResp"


class Refused(Exception):
    """The request is refused with HTTP status `code` and the reason `message`."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Request:
    id: str
    type: str
    body: Any
    headers: list[Any]


class BadFrame(Exception):
    def __init__(self, message: str, request_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.request_id = request_id


def parse(frame: str | bytes) -> Request:
    if isinstance(frame, bytes):
        raise BadFrame("Frames are JSON text; this one is binary.")
    try:
        document = loads(frame.encode("utf-8", "surrogatepass"), limit=FRAME_LIMIT)
    except JsonRejected as error:
        raise BadFrame(f"The frame is not a JSON request: it {error}.") from None
    if not isinstance(document, dict):
        raise BadFrame("A request is a JSON object with kind, id, type and body.")
    request_id = document.get("id")
    if isinstance(request_id, int) and not isinstance(request_id, bool):
        request_id = str(request_id)  # LivePerson's tutorials send numbers and get strings back
    if not isinstance(request_id, str) or not 1 <= len(request_id) <= 64:
        raise BadFrame("A request needs an id: a string of 1 to 64 characters, unique on this socket.")
    if document.get("kind", "req") != "req":
        raise BadFrame('Only requests (kind "req") are sent to the server.', request_id)
    kind = document.get("type")
    if not isinstance(kind, str):
        raise BadFrame('A request needs a type, such as "GetClock".', request_id)
    headers = document.get("headers", [])
    return Request(
        request_id, kind, document.get("body"), headers if isinstance(headers, list) else [headers]
    )


def response(request_id: str | None, kind: str, body: Any = None, code: int = 200) -> dict[str, Any]:
    answer: dict[str, Any] = {"kind": "resp", "reqId": request_id, "code": code, "type": kind}
    if body is not None:
        answer["body"] = body
    return answer


def string_response(request_id: str | None, code: int, text: str | None = None) -> dict[str, Any]:
    return response(request_id, STRING_RESPONSE, text, code)


def notification(kind: str, body: Any) -> dict[str, Any]:
    return {"kind": "notification", "type": kind, "body": body}


def field(body: Any, name: str, kinds: type | tuple[type, ...], required: bool = True) -> Any:
    """`body[name]`, of one of `kinds`; `Refused(400)` saying what is wrong otherwise."""
    if not isinstance(body, dict):
        raise Refused(400, f"The request's body must be a JSON object with {name}.")
    value = body.get(name)
    if value is None and not required:
        return None
    if (
        value is None
        or not isinstance(value, kinds)
        or (isinstance(value, bool) and bool not in _tuple(kinds))
    ):
        raise Refused(400, f"body.{name} is missing or of the wrong type.")
    return value


def _tuple(kinds: type | tuple[type, ...]) -> tuple[type, ...]:
    return kinds if isinstance(kinds, tuple) else (kinds,)
