"""Proof Key for Code Exchange: RFC 7636.

S256 for every client; `plain` only for clients registered with `allow_plain_pkce`.
"""

from __future__ import annotations

import hmac

from backend.protocol.errors import invalid_grant, invalid_request
from shared.pkce import (
    CHALLENGE_RULE,
    METHODS,
    VERIFIER_RULE,
    challenge_of,
    challenge_well_formed,
    verifier_well_formed,
)


def check_challenge(challenge: str, method: str | None, allow_plain: bool) -> str:
    """§4.3: validate an authorization request's challenge; return the method (default plain)."""
    method = method or "plain"
    if method not in METHODS:
        raise invalid_request(f"code_challenge_method {method!r} is not supported; use S256.")
    if method == "plain" and not allow_plain:
        raise invalid_request("This client must use code_challenge_method=S256.")
    if not challenge_well_formed(challenge):
        raise invalid_request(f"code_challenge must be {CHALLENGE_RULE}.")
    return method


def verify(verifier: str | None, challenge: str | None, method: str | None) -> None:
    """§4.6: check the token request's verifier against the code's challenge."""
    if challenge is None:
        if verifier is not None:
            # A verifier for a code issued without a challenge: a downgrade attempt (RFC 9700 §2.1.1).
            raise invalid_grant("code_verifier sent, but the code was issued without code_challenge.")
        return
    if verifier is None:
        raise invalid_grant("code_verifier is required: the code was issued with a code_challenge.")
    if not verifier_well_formed(verifier):
        raise invalid_request(f"code_verifier must be {VERIFIER_RULE}.")
    computed = challenge_of(verifier, method or "plain")
    if not hmac.compare_digest(computed.encode(), challenge.encode()):
        raise invalid_grant("code_verifier does not match the code_challenge.")
