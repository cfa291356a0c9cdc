"""Discovery and keys: `discovery` and `jwks`.

OpenID Connect Discovery 1.0 §4 (the document at ISSUER/.well-known/openid-configuration) and
§4.3 (its `issuer` identical to ISSUER), with the REQUIRED metadata of §3; RFC 7517 §5 (a JWK
Set) and §4.5 (distinct kids), so that OpenID Connect Core §10.1's key selection by kid works.
"""

from __future__ import annotations

from shared.checker.reasons import FAIL, PASS, WARN, Outcome
from shared.checker.run import Run
from shared.validation.brand_keys import JwksKeys
from shared.validation.discovery import discover

# OpenID Connect Discovery 1.0 §3: REQUIRED provider metadata (issuer and token_endpoint are
# enforced by `discover` itself).
_REQUIRED_METADATA = (
    "authorization_endpoint",
    "jwks_uri",
    "response_types_supported",
    "subject_types_supported",
    "id_token_signing_alg_values_supported",
)


def discovery(run: Run) -> Outcome:
    """OpenID Connect Discovery 1.0 §4: the document at ISSUER/.well-known/openid-configuration,
    its `issuer` identical to ISSUER (§4.3), with the REQUIRED metadata of §3."""
    target = run.target
    run.endpoints, run.document = discover(target.issuer, target.timeout, target.allow_hosts)
    missing = [name for name in _REQUIRED_METADATA if name not in run.document]
    if missing:
        return WARN, (
            f"The discovery document lacks the REQUIRED metadata {', '.join(missing)} "
            "(OpenID Connect Discovery §3)."
        )
    algorithms = run.document.get("id_token_signing_alg_values_supported")
    if not isinstance(algorithms, list) or "RS256" not in algorithms:
        return WARN, (
            "id_token_signing_alg_values_supported does not list RS256, the only algorithm "
            "LivePerson accepts."
        )
    return PASS, (
        f"Discovery document read; issuer is exactly {target.issuer!r}; "
        f"token endpoint {run.endpoints.token_endpoint}."
    )


def jwks(run: Run) -> Outcome:
    """RFC 7517 §5: a JWK Set of valid RSA keys; kids distinct (§4.5) so that the token's kid
    selects exactly one key (OpenID Connect Core §10.1)."""
    endpoints = run.need_endpoints()
    if "jwks_uri" in endpoints.refused:
        return FAIL, endpoints.refused["jwks_uri"]
    if not endpoints.jwks_uri:
        return FAIL, "The discovery document has no jwks_uri: LivePerson cannot fetch the brand's keys."
    keys = JwksKeys(endpoints.jwks_uri, run.target.timeout)
    published = keys.fetch()
    kids = [key["kid"] for key in published if isinstance(key.get("kid"), str)]
    duplicates = sorted({kid for kid in kids if kids.count(kid) > 1})
    if duplicates:
        return FAIL, (
            f"The JWKS publishes kid {', '.join(map(repr, duplicates))} more than once; kids must be "
            "distinct, or LivePerson may verify the token with the wrong key."
        )
    for kid in kids:
        keys.key_for(kid)  # a key that is not a valid RSA key fails here
    if not kids:
        keys.key_for(None)
    run.keys, run.kids = keys, kids
    unnamed = len(published) - len(kids)
    if unnamed and len(published) > 1:
        return WARN, (
            f"{unnamed} of the {len(published)} RSA keys in the JWKS have no kid; with several keys "
            "LivePerson selects by kid, so those keys can never verify a token."
        )
    named = f"kid{'s' if len(kids) > 1 else ''} {', '.join(map(repr, kids))}" if kids else "no kid"
    return PASS, f"{endpoints.jwks_uri} publishes {len(published)} RSA key(s), {named}."
