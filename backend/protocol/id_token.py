"""The ID Token: OpenID Connect Core 1.0 §2, signed RS256 (§10.1) with a `kid` in the header.

LivePerson's additions: `iss` must equal the issuer configured in its console, case-sensitive;
`iat`/`exp` are integer seconds; `lp_sdes` is an array of SDE objects.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from joserfc.jwk import RSAKey

from backend.models import User
from backend.protocol.claims import user_claims


def subject_claims(user: User, scopes: list[str]) -> dict[str, Any]:
    """What the token says about the user: the claims the scopes release, and `lp_sdes`."""
    released = user_claims(user, scopes)
    if user.lp_sdes:
        released["lp_sdes"] = user.lp_sdes
    return released


def claims(
    *,
    issuer: str,
    subject: dict[str, Any],
    client_id: str,
    auth_time: datetime,
    now: datetime,
    lifetime: int,
    nonce: str | None = None,
) -> dict[str, Any]:
    issued_at = int(now.timestamp())
    token: dict[str, Any] = {
        **subject,
        "iss": issuer,
        "aud": client_id,
        "iat": issued_at,
        "exp": issued_at + lifetime,
        "auth_time": int(auth_time.timestamp()),
    }
    if nonce is not None:
        token["nonce"] = nonce
    return token


def sign(token_claims: dict[str, Any], key: RSAKey) -> str:
    """RFC 7515 §7.1 compact serialization, RS256 (RFC 7518 §3.3). Written out rather than
    through a JOSE library: the exchange is bound by this function, and a library's
    generality doubles its cost."""
    header = {"alg": "RS256", "typ": "JWT", "kid": key.kid}
    signing_input = _part(header) + b"." + _part(token_claims)
    signature = key.private_key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    return (signing_input + b"." + _base64url(signature)).decode()


def _part(value: dict[str, Any]) -> bytes:
    return _base64url(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


def _base64url(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")
