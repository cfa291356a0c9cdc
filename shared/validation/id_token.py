"""LivePerson's checks of an id_token: RS256 only, the brand's key, `iss`, `iat`/`exp`, `sub`.

The header is read and the algorithm checked before any key is touched, and the signature is
verified with RSASSA-PKCS1-v1_5 SHA-256 explicitly, so no `alg` value (`none`, HS256 with the
public key as the secret) can choose how the token is verified.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from shared.validation.brand_keys import KeySource
from shared.validation.errors import (
    INPUT_VALIDATION,
    JWT_EXPIRED,
    JWT_NOT_VALID,
    WRONG_ISSUER,
    ValidationFailure,
)
from shared.validation.safe_json import JsonRejected, b64url_decode, b64url_json_object

# Seconds since the epoch pass 10^11 only in the year 5138: a larger value is milliseconds.
_MILLISECONDS = 10**11
T = TypeVar("T")


def parse(token: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    """Header, claims, signing input and signature of a compact JWS (RFC 7515 §7.1). Whatever
    the token holds, the answer is these four or LivePerson's input validation error."""
    parts = token.split(".")
    if len(parts) != 3:
        raise ValidationFailure(
            "id-token-alg",
            INPUT_VALIDATION,
            f"The token has {len(parts)} dot-separated parts; a signed JWT has 3.",
        )
    header = _decoded("header", b64url_json_object, parts[0])
    claims = _decoded("claims", b64url_json_object, parts[1])
    signature = _decoded("signature", b64url_decode, parts[2])
    return header, claims, f"{parts[0]}.{parts[1]}".encode(), signature


def _decoded(part: str, decode: Callable[[str], T], segment: str) -> T:
    try:
        return decode(segment)
    except JsonRejected as error:
        raise ValidationFailure("id-token-alg", INPUT_VALIDATION, f"The token's {part} {error}.") from None


def verify_signature(token: str, keys: KeySource) -> tuple[dict[str, Any], dict[str, Any]]:
    header, claims, signing_input, signature = parse(token)
    alg = header.get("alg")
    if alg != "RS256":
        if alg is None:
            what = "has no alg header"
        elif str(alg).lower() == "none":
            what = "is not signed (alg none)"
        else:
            what = f"is signed with {alg}"
        raise ValidationFailure(
            "id-token-alg", JWT_NOT_VALID, f"The token {what}; LivePerson accepts RS256 only."
        )
    kid = header.get("kid")
    key = keys.key_for(kid if isinstance(kid, str) else None)
    try:
        key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise ValidationFailure(
            "id-token-alg",
            JWT_NOT_VALID,
            "The RS256 signature does not verify with the brand's public key (key mismatch): "
            "the key configured in LivePerson is not the one that signed the token.",
        ) from None
    return header, claims


def check_issuer(claims: dict[str, Any], issuer: str) -> None:
    if claims.get("iss") != issuer:
        raise ValidationFailure(
            "id-token-iss",
            WRONG_ISSUER,
            f"iss is {claims.get('iss')!r}, but LivePerson is configured with {issuer!r}; they must match "
            "exactly, case and trailing slash included.",
        )


def check_times(claims: dict[str, Any], *, now: int, skew: int) -> None:
    for name in ("iat", "exp"):
        _check_seconds(name, claims.get(name))
    if claims["exp"] <= now - skew:
        raise ValidationFailure(
            "id-token-times",
            JWT_EXPIRED,
            f"The token expired {now - claims['exp']} s ago (exp {claims['exp']}, now {now}).",
        )
    if claims["iat"] > now + skew:
        raise ValidationFailure(
            "id-token-times",
            JWT_NOT_VALID,
            f"The token is issued {claims['iat'] - now} s in the future: is the brand server's clock right?",
        )


def check_subject(claims: dict[str, Any]) -> None:
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub.strip():
        raise ValidationFailure(
            "id-token-sub", INPUT_VALIDATION, "sub is missing or empty; it becomes the customer id."
        )


def _check_seconds(name: str, value: Any) -> None:
    if value is None:
        raise ValidationFailure("id-token-times", INPUT_VALIDATION, f"{name} is missing; it is mandatory.")
    if isinstance(value, str):
        raise ValidationFailure(
            "id-token-times",
            INPUT_VALIDATION,
            f"{name} is the string {value!r}; it must be a JSON number of seconds since the epoch.",
        )
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailure(
            "id-token-times", INPUT_VALIDATION, f"{name} must be integer seconds, not {value!r}."
        )
    if value >= _MILLISECONDS:
        raise ValidationFailure(
            "id-token-times",
            INPUT_VALIDATION,
            f"{name} is {value}: that is milliseconds; LivePerson expects seconds since the epoch.",
        )
