"""Reading JSON that someone else wrote: a token's header and claims, the body the SDK posts, the
brand's documents. Every such read goes through `loads`, so a hostile input is refused with a
reason instead of crashing the reader.

Python's `json` alone recurses once per `[` or `{` (thousands of them raise RecursionError, which
is no ValueError), and accepts NaN and Infinity, lone UTF-16 surrogates ("\\ud800": they cannot be
encoded back to UTF-8, so whatever renders them later fails) and repeated member names (two
readers may then disagree on a header's `alg`). `loads` refuses all of these, as the I-JSON
profile (RFC 7493 §2) does, and bounds size and nesting.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

MAX_DEPTH = 32  # an id_token's lp_sdes nests 4 levels; nothing LivePerson reads needs 32
SEGMENT_LIMIT = 64 * 1024  # bytes of one decoded token segment
DOCUMENT_LIMIT = 1024 * 1024  # bytes of a brand's discovery document, JWKS or token response

# Strings (skipped whole, so brackets inside them do not count) and the brackets that nest. An
# unterminated string runs to the end: a match that could fail would be retried from every later
# quote, which is quadratic in `"\"\"\"...`.
_STRUCTURE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]', re.DOTALL)
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")


class JsonRejected(ValueError):
    """Why a text was refused; the message completes a sentence such as "The token's header …"."""


def loads(data: bytes, *, limit: int, max_depth: int = MAX_DEPTH) -> Any:
    """The JSON value in `data` (UTF-8), or JsonRejected."""
    if len(data) > limit:
        raise JsonRejected(f"is larger than {limit} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise JsonRejected("is not UTF-8 text") from None
    _check_depth(text, max_depth)
    try:
        value = json.loads(text, object_pairs_hook=_unique_members)
    except RecursionError:  # unreachable after _check_depth; kept so no input can turn into a 500
        raise JsonRejected(f"nests deeper than {max_depth} levels") from None
    except JsonRejected:
        raise
    except ValueError as error:
        raise JsonRejected(f"is not JSON ({error})") from None
    try:
        # Encoding it back finds what json.loads lets through: lone surrogates, NaN, Infinity.
        json.dumps(value, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except UnicodeEncodeError:
        raise JsonRejected("holds a lone UTF-16 surrogate (\\ud800-\\udfff), which is not text") from None
    except ValueError:
        raise JsonRejected("holds NaN or Infinity, which JSON does not have") from None
    return value


def b64url_decode(segment: str, *, limit: int = SEGMENT_LIMIT) -> bytes:
    """One base64url segment of a compact JWS or JWE (RFC 7515 §2: no padding, no other characters)."""
    if len(segment) > (limit * 4 + 2) // 3:
        raise JsonRejected(f"is larger than {limit} bytes")
    if not _BASE64URL.fullmatch(segment) or len(segment) % 4 == 1:
        raise JsonRejected("is not base64url (RFC 7515 §2: A-Z a-z 0-9 - _ only, without '=' padding)")
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def loads_object(data: bytes, *, limit: int) -> dict[str, Any]:
    """A JSON object, as request bodies and token parts are: anything else is JsonRejected."""
    value = loads(data, limit=limit)
    if not isinstance(value, dict):
        raise JsonRejected(f"is a JSON {_kind(value)}, not a JSON object")
    return value


def b64url_json_object(segment: str) -> dict[str, Any]:
    """A token's header or claims: base64url of a UTF-8 JSON object (RFC 7515 §4, RFC 7519 §7.2)."""
    return loads_object(b64url_decode(segment), limit=SEGMENT_LIMIT)


def _check_depth(text: str, max_depth: int) -> None:
    depth = 0
    for match in _STRUCTURE.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > max_depth:
                raise JsonRejected(f"nests deeper than {max_depth} levels")
        elif token in ("]", "}"):
            depth -= 1


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: set[str] = set()
    for name, _ in pairs:
        if name in seen:
            raise JsonRejected(f"repeats the member {name!r}")
        seen.add(name)
    return dict(pairs)


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    return "number"
