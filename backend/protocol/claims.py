"""Which user claims each scope releases: OpenID Connect Core 1.0 §5.4, plus LivePerson's `lp_sdes`."""

from __future__ import annotations

from typing import Any

from backend.models import User

SUPPORTED_SCOPES = ("openid", "profile", "email", "phone")

SCOPE_CLAIMS: dict[str, tuple[str, ...]] = {
    "profile": ("name", "given_name", "family_name", "preferred_username", "updated_at"),
    "email": ("email", "email_verified"),
    "phone": ("phone_number", "phone_number_verified"),
}

CLAIMS_SUPPORTED = (
    "sub", "iss", "aud", "exp", "iat", "auth_time", "nonce",
    *(claim for claims in SCOPE_CLAIMS.values() for claim in claims),
    "lp_sdes",
)


def granted_scope(requested: str) -> list[str]:
    """§3.1.2.1: unknown scope values are ignored; `openid` is what makes it OpenID Connect."""
    return [scope for scope in SUPPORTED_SCOPES if scope in requested.split()]


def user_claims(user: User, scopes: list[str]) -> dict[str, Any]:
    """§5.4: the claims the granted scopes release; absent values are left out (§5.3.2)."""
    values: dict[str, Any] = {
        "name": user.name,
        "given_name": user.given_name,
        "family_name": user.family_name,
        "preferred_username": user.preferred_username,
        "updated_at": int(user.updated_at.timestamp()),
        "email": user.email,
        "email_verified": user.email_verified,
        "phone_number": user.phone_number,
        "phone_number_verified": user.phone_number_verified if user.phone_number else None,
    }
    claims = {"sub": user.subject}
    for scope in scopes:
        for claim in SCOPE_CLAIMS.get(scope, ()):
            if values[claim] is not None:
                claims[claim] = values[claim]
    return claims


# The SDE types that describe the customer rather than an event (LivePerson engagement attributes).
CUSTOMER_SDE_TYPES = {"ctmrinfo": "info", "personal": "personal"}


def validate_lp_sdes(value: Any) -> str | None:
    """Why `value` is not a valid `lp_sdes` claim, or None. LivePerson expects a JSON *array*
    of SDE objects; an object in its place (seen in public samples) is silently ignored."""
    if not isinstance(value, list):
        return "lp_sdes must be a JSON array of SDE objects, not " + type(value).__name__ + "."
    for index, sde in enumerate(value):
        if not isinstance(sde, dict) or sde.get("type") not in CUSTOMER_SDE_TYPES:
            return f"lp_sdes[{index}] must be an object whose type is ctmrinfo or personal."
        body = CUSTOMER_SDE_TYPES[sde["type"]]
        if not isinstance(sde.get(body), dict):
            return f"lp_sdes[{index}] ({sde['type']}) must carry an object under {body!r}."
    return None
