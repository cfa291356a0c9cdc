"""Which user claims each scope releases: OpenID Connect Core 1.0 §5.4. LivePerson's `lp_sdes`
rule is `shared/validation/sdes.py`."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol


class Claimant(Protocol):
    """What the claims are made of: the stored user (backend/models/user.py) has these."""

    subject: str
    name: str | None
    given_name: str | None
    family_name: str | None
    preferred_username: str | None
    updated_at: datetime
    email: str
    email_verified: bool
    phone_number: str | None
    phone_number_verified: bool

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


def user_claims(user: Claimant, scopes: list[str]) -> dict[str, Any]:
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
