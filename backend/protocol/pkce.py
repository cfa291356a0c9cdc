"""Proof Key for Code Exchange: RFC 7636.

S256 for every client; `plain` only for clients registered with `allow_plain_pkce`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from backend.protocol.errors import invalid_grant, invalid_request

# §4.2: a challenge is 43 to 128 unreserved characters (S256 gives exactly 43).
_CHALLENGE = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
# §4.1 caps the verifier at 128 characters, but LivePerson has been seen sending longer ones;
# accept them, up to a bound that still refuses abuse.
MAX_VERIFIER_LENGTH = 1024
METHODS = ("S256", "plain")
_VERIFIER = re.compile(rf"[A-Za-z0-9\-._~]{{43,{MAX_VERIFIER_LENGTH}}}")


def check_challenge(challenge: str, method: str | None, allow_plain: bool) -> str:
    """§4.3: validate an authorization request's challenge; return the method (default plain)."""
    method = method or "plain"
    if method not in METHODS:
        raise invalid_request(f"code_challenge_method {method!r} is not supported; use S256.")
    if method == "plain" and not allow_plain:
        raise invalid_request("This client must use code_challenge_method=S256.")
    if not _CHALLENGE.fullmatch(challenge):
        raise invalid_request("code_challenge must be 43 to 128 characters of [A-Za-z0-9-._~].")
    return method


def s256(verifier: str) -> str:
    """§4.2: BASE64URL-ENCODE(SHA256(ASCII(code_verifier)))."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def challenge_of(verifier: str, method: str) -> str:
    """§4.6: the challenge `verifier` answers under `method`."""
    return s256(verifier) if method == "S256" else verifier


def well_formed(verifier: str) -> bool:
    return _VERIFIER.fullmatch(verifier) is not None


def verify(verifier: str | None, challenge: str | None, method: str | None) -> None:
    """§4.6: check the token request's verifier against the code's challenge."""
    if challenge is None:
        if verifier is not None:
            # A verifier for a code issued without a challenge: a downgrade attempt (RFC 9700 §2.1.1).
            raise invalid_grant("code_verifier sent, but the code was issued without code_challenge.")
        return
    if verifier is None:
        raise invalid_grant("code_verifier is required: the code was issued with a code_challenge.")
    if not well_formed(verifier):
        raise invalid_request(
            f"code_verifier must be 43 to {MAX_VERIFIER_LENGTH} characters of [A-Za-z0-9-._~]."
        )
    computed = challenge_of(verifier, method or "plain")
    if not hmac.compare_digest(computed.encode(), challenge.encode()):
        raise invalid_grant("code_verifier does not match the code_challenge.")
