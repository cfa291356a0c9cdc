"""PKCE for the code flow (RFC 7636), as the Messaging SDK's `setCodeVerifier` expects it.

The app makes a fresh verifier for each code, sends only its S256 challenge to the backend with
the code request, and hands the verifier to the SDK; LivePerson sends it along when it redeems
the code, so a code intercepted on its way is useless without it. Turn it on (Settings, or
`--pkce`) when the LivePerson account has PKCE enabled.
"""

from __future__ import annotations

import base64
import hashlib
import secrets


def new_verifier() -> str:
    """Section 4.1: 43 to 128 unreserved characters; 64 URL-safe characters from 48 random bytes."""
    return secrets.token_urlsafe(48)


def challenge(verifier: str) -> str:
    """Section 4.2, S256: BASE64URL(SHA256(ASCII(code_verifier))), without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
