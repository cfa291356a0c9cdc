"""The id_token: its signature and key (`id-token-alg`, `id-token-kid`), its claims
(`id-token-iss`, `id-token-times`, `id-token-sub`) and LivePerson's `lp-sdes`.

OpenID Connect Core §3.1.3.7 (steps 2, 6-7 and 9: iss, signature, exp), §10.1 (the kid) and §2
(sub, iat, exp); RFC 7518 §3.3 (RS256) and RFC 8725 §3.1 (`none` and HS256 refused); RFC 7519
§2 (NumericDate); LivePerson's authenticated engagement attributes (lp_sdes).
"""

from __future__ import annotations

import time

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from shared.checker.reasons import PASS, WARN, Outcome
from shared.checker.run import Run
from shared.validation import id_token, sdes
from shared.validation.errors import JWT_NOT_VALID, ValidationFailure

SKEW = 30  # seconds of clock difference tolerated on iat/exp, as the stand-in does


def id_token_alg(run: Run) -> Outcome:
    """OpenID Connect Core §3.1.3.7 step 6-7, RFC 7518 §3.3: signed RS256 with the brand's key;
    `none` and HS256 refused whatever the header says (RFC 8725 §3.1)."""
    token = run.need_id_token()
    if run.unreadable is not None:
        raise run.unreadable
    keys = run.need_keys()
    try:
        header, _ = id_token.verify_signature(token, keys)
    except ValidationFailure as failure:
        if failure.check != "id-token-kid":
            raise
        # The key cannot be selected by kid (id-token-kid says why): the algorithm and the
        # signature are still worth checking against every published key.
        verifying = _verifying_kid(run, token)
        if verifying is None:
            raise ValidationFailure(
                "id-token-alg",
                JWT_NOT_VALID,
                "The token is RS256, but its signature verifies with none of the keys in the JWKS "
                "(key mismatch).",
            ) from None
        return PASS, (
            f"Signed with RS256; the signature verifies with JWKS key {verifying!r} "
            "(but LivePerson cannot select it: see id-token-kid)."
        )
    return PASS, f"Signed with RS256; the signature verifies with JWKS key {header.get('kid')!r}."


def id_token_kid(run: Run) -> Outcome:
    """OpenID Connect Core §10.1: the JWS `kid` names a key of the JWKS, and is REQUIRED when
    the JWKS holds several keys (LivePerson: "JWK kid was not found",
    "multiple JWK without kid header")."""
    header = run.need_header()
    keys = run.need_keys()
    kid = header.get("kid")  # a string or absent: a token with another kid is unreadable
    keys.key_for(kid)
    if kid is None:
        return WARN, (
            "The token has no kid header; LivePerson accepts that only while the JWKS holds a single "
            "key, so the next key rotation will break authentication. Set kid."
        )
    return PASS, f"The token's kid {kid!r} is in the JWKS."


def id_token_iss(run: Run) -> Outcome:
    """OpenID Connect Core §3.1.3.7 step 2: `iss` exactly the issuer LivePerson is configured with."""
    claims = run.need_claims()
    id_token.check_issuer(claims, run.target.issuer)
    return PASS, f"iss is exactly {run.target.issuer!r}."


def id_token_times(run: Run) -> Outcome:
    """RFC 7519 §2 NumericDate, OpenID Connect Core §2: `iat` and `exp` integer seconds (not
    milliseconds, not strings), `exp` in the future (§3.1.3.7 step 9)."""
    claims = run.need_claims()
    now = int(time.time())
    id_token.check_times(claims, now=now, skew=SKEW)
    return PASS, (
        f"iat {claims['iat']} and exp {claims['exp']} are integer seconds; "
        f"exp is {claims['exp'] - now} s ahead."
    )


def id_token_sub(run: Run) -> Outcome:
    """OpenID Connect Core §2: `sub` present; LivePerson makes it the customer id."""
    claims = run.need_claims()
    id_token.check_subject(claims)
    return PASS, f"sub is {claims['sub']!r}, LivePerson's customer id."


def lp_sdes(run: Run) -> Outcome:
    """LivePerson's authenticated engagement attributes: `lp_sdes` absent, or an array of
    ctmrinfo/personal SDE objects (an object is wrong)."""
    return PASS, sdes.found(run.need_claims())


class _OneKey:
    """A KeySource of exactly one key: to ask which JWKS key, if any, verifies a token."""

    def __init__(self, key: RSAPublicKey) -> None:
        self._key = key

    def key_for(self, kid: str | None) -> RSAPublicKey:
        return self._key


def _verifying_kid(run: Run, token: str) -> str | None:
    """The kid of the JWKS key whose RS256 signature verifies `token`, if any."""
    keys = run.need_keys()
    for kid in run.kids:
        try:
            id_token.verify_signature(token, _OneKey(keys.key_for(kid)))
        except ValidationFailure:
            continue
        return kid
    return None
