"""The brand's API as the bot calls it for the customer: `GET {--brand-api-url}` with the
delegated access token as `Authorization: Bearer` (RFC 6750 §2.1), as LivePerson's "Conversation
Builder: Using Consumer Access Tokens" has a bot send it (`Bearer {$botContext.cidp_accessToken}`).
The demo brand's `GET /api/v1/orders` answers `{"orders": [{"reference", "status",
"description", "total", "currency", "placed_at"}, ...]}`; it refuses with RFC 6750 §3's 401
`invalid_token` or 403 `insufficient_scope`, named in the `WWW-Authenticate` challenge.

The answer is the brand's, so hostile input: bounded JSON, and of each order only the fields the
bot repeats, as short text.

Plain Python: no Flask.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import requests

from shared.validation import brand_http
from shared.validation.safe_json import DOCUMENT_LIMIT, JsonRejected, loads

LISTED = 5  # orders the bot lists; it counts the rest
_FIELD_LENGTH = 80  # characters of a field repeated
_FIELDS = ("reference", "status", "description", "total", "currency")
_CHALLENGE_ERROR = re.compile(r'error="([^"]*)"')


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: the brand did not answer
    orders: list[dict[str, str]] | None  # of a 200 with an orders array only
    error: str | None = None  # RFC 6750's error code, or why there was no answer


def fetch(url: str, access_token: str, timeout: float) -> Answer:
    try:
        response = brand_http.request(
            "GET",
            url,
            headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
            timeout=timeout,
            allow_redirects=False,  # a redirect would carry the token elsewhere
        )
    except requests.Timeout:
        return Answer(None, None, f"no answer within {timeout:g} s")
    except requests.RequestException as error:
        return Answer(None, None, type(error).__name__)
    if response.status_code != 200:
        found = _CHALLENGE_ERROR.search(response.headers.get("WWW-Authenticate", ""))
        return Answer(response.status_code, None, found.group(1)[:_FIELD_LENGTH] if found else None)
    try:
        body = loads(response.content, limit=DOCUMENT_LIMIT)
    except JsonRejected as error:
        return Answer(200, None, f"the answer {error}")
    orders = body.get("orders") if isinstance(body, dict) else None
    if not isinstance(orders, list):
        return Answer(200, None, "the answer has no orders array")
    return Answer(200, [_order(order) for order in orders if isinstance(order, dict)])


def listed(orders: list[dict[str, str]]) -> str:
    """The orders as the bot writes them, newest first as the brand lists them."""
    if not orders:
        return "You have no orders with us yet."
    lines = [f"Here are your orders ({len(orders)}):"]
    for order in orders[:LISTED]:
        total = " ".join(part for part in (order["total"], order["currency"]) if part)
        details = ", ".join(part for part in (order["description"], total) if part)
        reference, status = order["reference"] or "An order", order["status"] or "status unknown"
        lines.append(f"• {reference}, {status}: {details}")
    if len(orders) > LISTED:
        lines.append(f"…and {len(orders) - LISTED} more.")
    return "\n".join(lines)


def _order(order: dict[str, Any]) -> dict[str, str]:
    return {name: _text(order.get(name)) for name in _FIELDS}


def _text(value: Any) -> str:
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return ""
    # One line of printable text: no line break, NUL or other control character of the brand's.
    text = "".join(character for character in " ".join(str(value).split()) if character.isprintable())
    return text if len(text) <= _FIELD_LENGTH else text[: _FIELD_LENGTH - 1] + "…"
