"""The token exchange and client authentication: `token-exchange`, `client-auth-basic` and
`client-auth-post`.

RFC 6749 §4.1.3 (the code, POSTed form-encoded) and OpenID Connect Core §3.1.3.3 (answered
200 JSON with an id_token); RFC 6749 §2.3.1 (the client authenticates with client_secret_basic
or client_secret_post: LivePerson may send either).
"""

from __future__ import annotations

from shared.checker.reasons import PASS, Outcome
from shared.checker.run import Run
from shared.checker.token_endpoint import exchange
from shared.validation import id_token
from shared.validation.errors import ValidationFailure


def token_exchange(run: Run) -> Outcome:
    """RFC 6749 §4.1.3, OpenID Connect Core §3.1.3.3: the code, POSTed form-encoded with
    client_secret_basic, is answered 200 JSON with an id_token."""
    endpoint = run.need_endpoints().token_endpoint
    code = run.target.code if run.target.code is not None else run.fresh_code()
    body, record = exchange(run, code)
    run.tokens, run.first_code, run.success_headers = body, code, record.response_headers
    try:
        run.header, run.claims = id_token.parse(body["id_token"])
    except ValidationFailure as failure:
        run.unreadable = failure
    return PASS, f"{endpoint} exchanged the code (client_secret_basic) for an id_token."


def client_auth_basic(run: Run) -> Outcome:
    """RFC 6749 §2.3.1: client_secret_basic, the client id and secret in HTTP Basic."""
    return _client_auth(run, "basic", "in HTTP Basic (client_secret_basic)")


def client_auth_post(run: Run) -> Outcome:
    """RFC 6749 §2.3.1: client_secret_post, the client id and secret in the form body."""
    return _client_auth(run, "post", "in the form body (client_secret_post)")


def _client_auth(run: Run, method: str, where: str) -> Outcome:
    run.need_endpoints()  # discovery first: without it, this check is "not checked"
    code = run.fresh_code()
    try:
        _, record = exchange(run, code, auth_method=method)
    except ValidationFailure as failure:
        raise ValidationFailure(
            f"client-auth-{method}",
            failure.error,
            f"With the client credentials {where}: {failure.message} LivePerson may send either form; "
            "accept both (RFC 6749 §2.3.1).",
        ) from None
    if run.success_headers is None:
        run.success_headers = record.response_headers
    return PASS, f"A fresh code is exchanged with the client credentials {where}."
