"""The ID Token: OpenID Connect Core 1.0 §2, signed RS256 (§10.1) with a `kid` in the header.

LivePerson's additions: `iss` must equal the issuer configured in its console, case-sensitive;
`iat`/`exp` are integer seconds; `lp_sdes` is an array of SDE objects.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from joserfc import jwt
from joserfc.jwk import RSAKey

from backend.models import User
from backend.protocol.claims import user_claims


def claims(
    *,
    issuer: str,
    user: User,
    client_id: str,
    scopes: list[str],
    auth_time: datetime,
    now: datetime,
    lifetime: int,
    nonce: str | None = None,
) -> dict[str, Any]:
    issued_at = int(now.timestamp())
    token: dict[str, Any] = {
        **user_claims(user, scopes),
        "iss": issuer,
        "aud": client_id,
        "iat": issued_at,
        "exp": issued_at + lifetime,
        "auth_time": int(auth_time.timestamp()),
    }
    if nonce is not None:
        token["nonce"] = nonce
    if user.lp_sdes:
        token["lp_sdes"] = user.lp_sdes
    return token


def sign(token_claims: dict[str, Any], key: RSAKey) -> str:
    header = {"alg": "RS256", "typ": "JWT", "kid": key.kid}
    return jwt.encode(header, token_claims, key, algorithms=["RS256"])
