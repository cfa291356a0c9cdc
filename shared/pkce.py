"""Proof Key for Code Exchange (RFC 7636): the verifier, its challenge, and what each may hold.

The one Python module for PKCE: the backend checks with it (`backend/protocol/pkce.py` adds
the OAuth errors), the mobile app and the Messaging SDK stub make and carry verifiers with it,
and `liveperson-check` tests a brand with it. The browser's copy is
`shared/liveperson/static/pkce.js`.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets

METHODS = ("S256", "plain")
# §4.2: a challenge is 43 to 128 unreserved characters (S256 gives exactly 43).
_CHALLENGE = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
# §4.1 caps the verifier at 128 characters, but LivePerson's SDK has been seen sending longer
# ones: accepted everywhere, up to a bound that still refuses abuse.
MAX_VERIFIER_LENGTH = 1024
_VERIFIER = re.compile(rf"[A-Za-z0-9\-._~]{{43,{MAX_VERIFIER_LENGTH}}}")
VERIFIER_RULE = f"43 to {MAX_VERIFIER_LENGTH} characters of A-Z a-z 0-9 - . _ ~"
CHALLENGE_RULE = "43 to 128 characters of A-Z a-z 0-9 - . _ ~"


def new_verifier() -> str:
    """§4.1: 64 unreserved characters from 48 random bytes (§7.1: at least 256 bits advised)."""
    return secrets.token_urlsafe(48)


def s256(verifier: str) -> str:
    """§4.2: BASE64URL-ENCODE(SHA256(ASCII(code_verifier))), without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def challenge_of(verifier: str, method: str) -> str:
    """§4.6: the challenge `verifier` answers under `method`."""
    return s256(verifier) if method == "S256" else verifier


def new_pair() -> tuple[str, str]:
    """A fresh verifier and its S256 challenge."""
    verifier = new_verifier()
    return verifier, s256(verifier)


def verifier_well_formed(verifier: str) -> bool:
    return _VERIFIER.fullmatch(verifier) is not None


def challenge_well_formed(challenge: str) -> bool:
    return _CHALLENGE.fullmatch(challenge) is not None
