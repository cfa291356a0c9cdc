"""What a record may show of a secret: enough to recognise it, never enough to replay it.

Records (the request sent to the brand, the brand's answer, what the SDK handed in) are masked by
`masked` once, when they are made, so the raw values are never kept and every view of them
(/api/exchanges, the inspector, the checker's reasons) shows the same thing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote_plus

HIDDEN = "***"
# Nothing of these is shown: they are long-lived, and a prefix of a short one is a real hint.
CREDENTIALS = frozenset(
    {"client_secret", "password", "authorization", "proxy-authorization", "cookie", "set-cookie"}
)
# Codes, tokens and verifiers: random and long, so a short prefix and the length identify one
# in the brand's logs without giving it away.
TOKENS = frozenset(
    {
        "access_token",
        "refresh_token",
        "id_token",
        "code",
        "authcode",
        "code_verifier",
        "jwt",
        "session_token",
        "token",
        "client_assertion",
    }
)
_PREFIX = 6  # characters shown at most; never more than an eighth of the value
_MIN_HIDDEN = 4  # shorter values are not searched for in free text: they would match anywhere


def fingerprint(token: str) -> str:
    """E.g. `SplxlO...(43 chars)`."""
    return f"{token[: min(_PREFIX, len(token) // 8)]}...({len(token)} chars)"


def masked(value: Any, hide: Iterable[str | None] = ()) -> Any:
    """A copy of `value` (JSON-like) to record: members named in CREDENTIALS or TOKENS masked at any
    depth, and every occurrence of a `hide` string in other text (a brand that echoes the code in
    its error_description) replaced by ***."""
    secrets = sorted({s for s in hide if s and len(s) >= _MIN_HIDDEN}, key=len, reverse=True)
    return _mask(value, secrets)


def masked_url(url: str) -> str:
    """`url` with the values of secret query parameters masked (`?code=SplxlO...(43 chars)`); the
    rest is left as it was sent."""
    path, mark, query = url.partition("?")
    if not mark:
        return url
    parameters = []
    for parameter in query.split("&"):
        name, equals, value = parameter.partition("=")
        key = unquote_plus(name).lower()
        if value and key in CREDENTIALS:
            value = HIDDEN
        elif value and key in TOKENS:
            value = fingerprint(unquote_plus(value))
        parameters.append(f"{name}{equals}{value}")
    return f"{path}?{'&'.join(parameters)}"


def _mask(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, dict):
        return {name: _member(name, item, secrets) for name, item in value.items()}
    if isinstance(value, list | tuple):
        return [_mask(item, secrets) for item in value]
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, HIDDEN)
    return value


def _member(name: Any, value: Any, secrets: list[str]) -> Any:
    key = name.lower() if isinstance(name, str) else name
    if value is None or value == "":
        return value
    if key in ("authorization", "proxy-authorization") and isinstance(value, str) and " " in value:
        return f"{value.split(' ', 1)[0]} {HIDDEN}"  # the scheme says which client auth was used
    if key in CREDENTIALS:
        return HIDDEN
    if key in TOKENS:
        return fingerprint(value) if isinstance(value, str) else HIDDEN
    return _mask(value, secrets)
