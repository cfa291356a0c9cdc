"""What the SDK hands LivePerson at `POST /api/account/<account>/authenticate`: `{"authCode"}`,
as LivePerson's "Tutorials — Authentication" page shows it, holding the brand's code or its JWT.
A code comes with the `redirect_uri` it was issued for and, with PKCE, the `code_verifier`
(LivePerson documents neither field's name; these are the stand-in's), and the `channel` the
SDK runs in. A JWT is told from a code by its form: a compact JWS or JWE (`_is_jwt`).

Any web page can post it, so it is read defensively: bounded JSON without the inputs that crash
Python's parser (see shared.validation.safe_json), and text fields of printable ASCII only. A
code is 1*VSCHAR (RFC 6749 Appendix A.11), a JWT base64url and dots, a verifier and a redirect
URI ASCII too; so NUL, other control characters and lone surrogates are refused here, before
anything is sent to the brand.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from typing import Any

from shared.validation.safe_json import JsonRejected, loads_object

BODY_LIMIT = 256 * 1024  # bytes; a nested JWE of a large id_token is a few KB
CHANNELS = ("web", "popout", "mobile")
_PRINTABLE_ASCII = re.compile(r"[\x20-\x7e]*")
_EXPECTED = 'JSON {"authCode": <code or JWT>, "redirect_uri"}'


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
        document = loads_object(body, limit=BODY_LIMIT)
    except JsonRejected as error:
        raise BadHandover(f"Send {_EXPECTED}; the body {error}.") from None
    channel = document.get("channel", "web")
    if channel not in CHANNELS:
        raise BadHandover(f"channel must be one of {', '.join(CHANNELS)}.")
    given = _text(document, "authCode")
    if not given:
        raise BadHandover("Send the brand's code or JWT as a non-empty authCode.")
    if _is_jwt(given):
        return Handover(channel=channel, jwt=given)
    return Handover(
        channel=channel,
        code=given,
        redirect_uri=_text(document, "redirect_uri") or None,
        code_verifier=_text(document, "code_verifier") or None,
    )


def _is_jwt(value: str) -> bool:
    """A compact JWS (3 parts) or JWE (5) whose first part is base64url of what opens a JSON
    object naming `alg`: a JOSE header. Only the form is looked at, nothing is parsed: whether
    the token can be read is the validation's to say, with LivePerson's error for it."""
    parts = value.split(".")
    if len(parts) not in (3, 5):
        return False
    try:
        header = base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4))
    except ValueError:  # binascii.Error: not base64url
        return False
    return header.lstrip().startswith(b"{") and b'"alg"' in header


def _text(document: dict[str, Any], name: str) -> str | None:
    value = document.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadHandover(f"{name} must be a string.")
    if not _PRINTABLE_ASCII.fullmatch(value):
        raise BadHandover(f"{name} must be printable ASCII: no control characters, no other text.")
    return value
