"""The ID Token: OpenID Connect Core 1.0 §2, signed RS256 (§10.1) with the key's `kid` in the
header, and for LivePerson's key optionally nested in a JWE (RFC 7519 §5.2, `nested_jwe.py`).

`issue` is the one function that writes an id_token: the token endpoint's (code flow), the
pop-out window's (implicit flow) and the app API's (`/api/liveperson/jwt`) all come from it.

LivePerson's additions: `iss` must equal the issuer configured in its console, case-sensitive;
`iat`/`exp` are integer seconds; `lp_sdes` is an array of SDE objects.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Protocol

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from backend.protocol import nested_jwe
from backend.protocol.claims import Claimant, user_claims


class Subject(Claimant, Protocol):
    """The user a token is about: the claims, and LivePerson's engagement attributes."""

    lp_sdes: list[dict[str, Any]] | None


class IssuerKey(Protocol):
    """The key that signs, and the `kid` verifiers select it by in the JWKS."""

    @property
    def kid(self) -> str: ...
    @property
    def private_key(self) -> RSAPrivateKey: ...


def subject_claims(user: Subject, scopes: list[str]) -> dict[str, Any]:
    """What the token says about the user: the claims the scopes release, and `lp_sdes`."""
    released = user_claims(user, scopes)
    if user.lp_sdes:
        released["lp_sdes"] = user.lp_sdes
    return released


def issue(
    *,
    issuer: str,
    subject: dict[str, Any],
    client_id: str,
    auth_time: datetime,
    lifetime: int,
    key: IssuerKey,
    now: datetime | None = None,
    nonce: str | None = None,
    encrypt_for: nested_jwe.Recipient | None = None,
) -> str:
    """The id_token for `client_id`: §2 claims, the JWS (RFC 7515 compact, RS256), and when
    `encrypt_for` is that client's recipient, the JWE around it."""
    issued_at = int((now or datetime.now(UTC)).timestamp())
    claims: dict[str, Any] = {
        **subject,
        "iss": issuer,
        "aud": client_id,
        "iat": issued_at,
        "exp": issued_at + lifetime,
        "auth_time": int(auth_time.timestamp()),
    }
    if nonce is not None:
        claims["nonce"] = nonce
    # PyJWT, not a hand-written JWS: measured on this token, 269 µs of CPU against 267 µs for
    # the hand-written signer it replaced, the RSA operation being 252 µs of either.
    signed = jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid})
    if encrypt_for is None or encrypt_for.client_id != client_id:
        return signed
    return nested_jwe.encrypt(signed, encrypt_for.key, encrypt_for.enc)
