"""What the SDK hands LivePerson at `POST /api/account/<account>/authenticate`: `{"authCode",
"redirect_uri", "code_verifier"}` or `{"jwt"}`, with the `channel` it came from.

Any web page can post it, so it is read defensively: bounded JSON without the inputs that crash
Python's parser (see shared.validation.safe_json), and text fields of printable ASCII only. A
code is 1*VSCHAR (RFC 6749 Appendix A.11), a JWT base64url and dots, a verifier and a redirect
URI ASCII too; so NUL, other control characters and lone surrogates are refused here, before
anything is sent to the brand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from shared.validation.safe_json import JsonRejected, loads

BODY_LIMIT = 256 * 1024  # bytes; a nested JWE of a large id_token is a few KB
CHANNELS = ("web", "popout", "mobile")
_PRINTABLE_ASCII = re.compile(r"[\x20-\x7e]*")
_EXPECTED = 'JSON {"authCode", "redirect_uri"} or {"jwt"}'


class BadHandover(ValueError):
    """The body is not a handover; the message says what to send instead."""


@dataclass(frozen=True)
class Handover:
    channel: str
    code: str | None = None
    jwt: str | None = None
    redirect_uri: str | None = None
    code_verifier: str | None = None


def read(body: bytes) -> Handover:
    try:
        document = loads(body, limit=BODY_LIMIT)
    except JsonRejected as error:
        raise BadHandover(f"Send {_EXPECTED}; the body {error}.") from None
    if not isinstance(document, dict):
        raise BadHandover(f"Send {_EXPECTED}; the body is not a JSON object.")
    channel = document.get("channel", "web")
    if channel not in CHANNELS:
        raise BadHandover(f"channel must be one of {', '.join(CHANNELS)}.")
    code, jwt = _text(document, "authCode"), _text(document, "jwt")
    if bool(code) == bool(jwt):
        raise BadHandover("Send either a non-empty authCode or a jwt.")
    return Handover(
        channel=channel,
        code=code or None,
        jwt=jwt or None,
        redirect_uri=_text(document, "redirect_uri") or None,
        code_verifier=_text(document, "code_verifier") or None,
    )


def _text(document: dict[str, Any], name: str) -> str | None:
    value = document.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadHandover(f"{name} must be a string.")
    if not _PRINTABLE_ASCII.fullmatch(value):
        raise BadHandover(f"{name} must be printable ASCII: no control characters, no other text.")
    return value
