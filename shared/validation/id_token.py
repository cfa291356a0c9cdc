"""LivePerson's checks of an id_token: RS256 only, the brand's key, `iss`, `iat`/`exp`, `sub`.

The JWS is read and verified by PyJWT (RFC 7515 §5.2), but only once `safe_json` has bounded
each segment (size, nesting, repeated members, lone surrogates, NaN): whatever a token holds,
the answer is LivePerson's error, never a Python exception. The header's `alg` is checked
before any key is looked up, and `jwt.decode` is given `algorithms=["RS256"]`, so no `alg`
(`none`, HS256 keyed with the public key) can choose how the token is verified (RFC 8725 §3.1).
PyJWT's exceptions become LivePerson's error numbers (`_failure`).

The claims are checked here, one function per LivePerson rule, and not by PyJWT: LivePerson
tells milliseconds and strings from seconds, and reports each rule as a step of its own.
"""

from __future__ import annotations

from typing import Any

import jwt

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
# The signature only: LivePerson's own checks below judge the claims.
_SIGNATURE_ONLY = {
    "verify_signature": True,
    "verify_exp": False,
    "verify_nbf": False,
    "verify_iat": False,
    "verify_aud": False,
    "verify_iss": False,
    "verify_sub": False,
    "verify_jti": False,
}
_UNVERIFIED = {"verify_signature": False}


def parse(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims of a compact JWS (RFC 7515 §7.1), not verified. Whatever the token
    holds, the answer is these two or LivePerson's input validation error."""
    _check_segments(token)
    try:
        return jwt.get_unverified_header(token), jwt.decode(token, options=_UNVERIFIED)
    except jwt.PyJWTError as error:
        raise _failure(error) from None


def verify_signature(token: str, keys: KeySource) -> tuple[dict[str, Any], dict[str, Any]]:
    header, _ = parse(token)
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
    key = keys.key_for(header.get("kid"))  # a string or absent: PyJWT refuses any other kid
    try:
        claims = jwt.decode(token, key, algorithms=["RS256"], options=_SIGNATURE_ONLY)
    except jwt.PyJWTError as error:
        raise _failure(error) from None
    return header, claims


def _check_segments(token: str) -> None:
    """The three segments within `safe_json`'s bounds, before PyJWT parses any of them."""
    parts = token.split(".")
    if len(parts) != 3:
        raise ValidationFailure(
            "id-token-alg",
            INPUT_VALIDATION,
            f"The token has {len(parts)} dot-separated parts; a signed JWT has 3.",
        )
    for part, segment in (("header", parts[0]), ("claims", parts[1])):
        try:
            b64url_json_object(segment)
        except JsonRejected as error:
            raise _unreadable(part, error) from None
    try:
        b64url_decode(parts[2])
    except JsonRejected as error:
        raise _unreadable("signature", error) from None


def _unreadable(part: str, error: JsonRejected) -> ValidationFailure:
    return ValidationFailure("id-token-alg", INPUT_VALIDATION, f"The token's {part} {error}.")


def _failure(error: jwt.PyJWTError) -> ValidationFailure:
    """LivePerson's error for what PyJWT refused."""
    if isinstance(error, jwt.InvalidSignatureError):
        return ValidationFailure(
            "id-token-alg",
            JWT_NOT_VALID,
            "The RS256 signature does not verify with the brand's public key (key mismatch): "
            "the key configured in LivePerson is not the one that signed the token.",
        )
    if isinstance(error, jwt.InvalidAlgorithmError):
        return ValidationFailure(
            "id-token-alg",
            JWT_NOT_VALID,
            f"The token's alg is refused ({error}); LivePerson accepts RS256 only.",
        )
    if isinstance(error, jwt.DecodeError):
        return ValidationFailure("id-token-alg", INPUT_VALIDATION, f"The token cannot be read: {error}.")
    if isinstance(error, jwt.InvalidTokenError):
        # The header's own rules: a `kid` that is not a string (RFC 7515 §4.1.4), a `crit`
        # extension the verifier does not understand (§4.1.11).
        return ValidationFailure(
            "id-token-alg", INPUT_VALIDATION, f"The token's header is not valid: {error}."
        )
    return ValidationFailure("id-token-alg", JWT_NOT_VALID, f"The token does not verify: {error}.")


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
