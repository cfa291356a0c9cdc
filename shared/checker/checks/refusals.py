"""What the token endpoint must refuse, and how it answers: `code-reuse`,
`redirect-uri-mismatch`, `wrong-secret`, `pkce` and `no-store`.

RFC 6749 §4.1.2 and §10.5 (a code is single use), §4.1.3 (redirect_uri identical to the one the
code was issued for), §3.2.1 (the client is authenticated), §5.2 (the error and its HTTP status)
and §5.1/§5.2 (`Cache-Control: no-store` on every answer); RFC 7636 §4.6 (a code bound to an S256
challenge needs its verifier), advertised per RFC 8414 §2.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from shared.checker.app_client import CodeRefused
from shared.checker.reasons import FAIL, PASS, WARN, NotRun, Outcome, error_code, refusal
from shared.checker.run import Run
from shared.checker.token_endpoint import exchange, redeem
from shared.pkce import new_pair
from shared.validation.errors import ValidationFailure


def code_reuse(run: Run) -> Outcome:
    """RFC 6749 §4.1.2 and §10.5: a code is single use; a second redemption is refused with
    400 invalid_grant (§5.2; OpenID conformance module oidcc-codereuse)."""
    run.need_endpoints()
    if run.first_code is None:
        raise NotRun(WARN, "not checked: the first redemption failed (see token-exchange).")
    response = redeem(run, run.first_code)
    return refusal(
        response,
        400,
        "invalid_grant",
        accepted="The brand accepted the same code a second time; a code must be single use, or a "
        "replayed code logs the attacker in (RFC 6749 §4.1.2, §10.5).",
        refused="A second redemption of the same code is refused",
    )


def redirect_uri_mismatch(run: Run) -> Outcome:
    """RFC 6749 §4.1.3: redirect_uri at the token endpoint identical to the one the code was
    issued for, or the code is refused (invalid_grant)."""
    run.need_endpoints()
    code = run.fresh_code()
    other = run.target.redirect_uri.rstrip("/") + "/liveperson-check-mismatch"
    response = redeem(run, code, redirect_uri=other)
    return refusal(
        response,
        400,
        "invalid_grant",
        accepted=f"A code issued for redirect_uri {run.target.redirect_uri!r} was exchanged with "
        f"redirect_uri {other!r}; the two must be identical (RFC 6749 §4.1.3).",
        refused="A code redeemed with another redirect_uri is refused",
    )


def wrong_secret(run: Run) -> Outcome:
    """RFC 6749 §3.2.1 and §5.2: the token endpoint authenticates the client; a wrong secret
    is answered 401 invalid_client."""
    run.need_endpoints()
    code = run.fresh_code()
    response = redeem(run, code, client_secret="liveperson-check-" + secrets.token_urlsafe(16))
    return refusal(
        response,
        401,
        "invalid_client",
        accepted="The brand exchanged a code for a client that sent a wrong client secret; the token "
        "endpoint must authenticate the client (RFC 6749 §3.2.1).",
        refused="A wrong client secret is refused",
    )


def pkce(run: Run) -> Outcome:
    """RFC 7636 §4.6: a code bound to an S256 code_challenge is refused without its
    code_verifier and exchanged with it; S256 advertised (RFC 8414 §2)."""
    run.need_endpoints()  # discovery first: without it, this check is "not checked"
    run.need_app()
    methods = run.document.get("code_challenge_methods_supported")
    if not isinstance(methods, list) or "S256" not in methods:
        return WARN, (
            "The discovery document does not list S256 in code_challenge_methods_supported: "
            "LivePerson's PKCE option cannot be used with this backend."
        )
    try:
        code = run.fresh_code(pkce_challenge=new_pair()[1])
    except CodeRefused as refused:
        return WARN, f"The code endpoint does not take a code_challenge: {refused.reason}"
    without = redeem(run, code)
    if without.status_code < 300 or without.status_code >= 500:
        return FAIL, (
            f"A code issued for an S256 code_challenge was answered HTTP {without.status_code} when "
            "redeemed without code_verifier; it must be refused (RFC 7636 §4.6), or PKCE protects "
            "nothing."
        )
    verifier, challenge = new_pair()
    code = run.fresh_code(pkce_challenge=challenge)
    try:
        exchange(run, code, code_verifier=verifier)
    except ValidationFailure as failure:
        raise ValidationFailure(
            "pkce", failure.error, f"The matching code_verifier was refused: {failure.message}"
        ) from None
    return PASS, (
        f"A code bound to an S256 challenge is refused without code_verifier "
        f"(HTTP {without.status_code} {error_code(without)}) and exchanged with it."
    )


def no_store(run: Run) -> Outcome:
    """RFC 6749 §5.1 and §5.2: `Cache-Control: no-store` on the token response and on its errors."""
    run.need_endpoints()
    error = redeem(run, "liveperson-check-unknown-" + secrets.token_urlsafe(16))
    missing = []
    if run.success_headers is not None and not _has_no_store(run.success_headers):
        found = _cache_control(run.success_headers)
        missing.append(f"a successful token response (Cache-Control: {found})")
    if not _has_no_store(error.headers):
        missing.append(
            f"the error response to an unknown code (HTTP {error.status_code}, "
            f"Cache-Control: {_cache_control(error.headers)})"
        )
    if missing:
        return FAIL, (
            f"Cache-Control: no-store is missing on {' and on '.join(missing)}; a token response must "
            "never be cached (RFC 6749 §5.1, §5.2)."
        )
    if run.success_headers is None:
        return (
            WARN,
            "An error response has Cache-Control: no-store; no successful token response to check.",
        )
    return PASS, "Cache-Control: no-store on the token response and on an error response."


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


def _cache_control(headers: Mapping[str, str]) -> str:
    return _header(headers, "Cache-Control") or "absent"


def _has_no_store(headers: Mapping[str, str]) -> bool:
    directives = (_header(headers, "Cache-Control") or "").split(",")
    return any(directive.strip().lower() == "no-store" for directive in directives)
