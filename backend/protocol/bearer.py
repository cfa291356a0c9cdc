"""Bearer secrets: codes, access tokens and session tokens.

- Made with 256 random bits (RFC 6749 §10.10 asks for a guessing chance of at most 2^-128).
- Stored only as their SHA-256 (RFC 6819 §5.1.4.1.3): a database leak yields nothing usable.
- Read from `Authorization: Bearer <token>` (RFC 6750 §2.1), by the userinfo endpoint for
  access tokens and by the app API for session tokens.
"""

from __future__ import annotations

import hashlib
import secrets

from backend.protocol.errors import invalid_request


def new_secret() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """How bearer secrets are stored. They carry 256 bits of entropy, so a fast hash is enough
    (a slow KDF would only burn CPU)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def from_header(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header (§2.1; the scheme is
    case-insensitive, RFC 9110 §11.1).

    None when there is no header, or it uses another scheme (Basic, say): such a request
    carries no bearer token (§3.1). A `Bearer` scheme without a token is `invalid_request`."""
    if authorization is None:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer":
        return None
    if not token.strip():
        raise invalid_request("The Authorization header must be 'Bearer <access token>'.")
    return token.strip()
