"""The requests the checks send to the brand's token endpoint, as LivePerson sends them
(RFC 6749 §4.1.3, §6): an exchange that must succeed, and bare redemptions of a code or a
refresh token whose answer, refused or not, a check judges.
"""

from __future__ import annotations

from typing import Any

import requests

from shared.checker.reasons import FAIL, NotRun
from shared.checker.run import Run
from shared.validation.token_exchange import HttpRecord, exchange_code, request_tokens


def exchange(
    run: Run, code: str, *, code_verifier: str | None = None, auth_method: str = "basic"
) -> tuple[dict[str, Any], HttpRecord]:
    """A code exchange as LivePerson sends it; a refusal raises ValidationFailure."""
    return exchange_code(
        run.need_endpoints().token_endpoint,
        code=code,
        redirect_uri=run.target.redirect_uri,
        code_verifier=code_verifier,
        client_id=run.target.client_id,
        client_secret=run.target.client_secret,
        auth_method=auth_method,
        timeout=run.target.timeout,
    )


def redeem(
    run: Run, code: str, *, redirect_uri: str | None = None, client_secret: str | None = None
) -> requests.Response:
    """One token request with client_secret_basic; the raw answer, whatever its status."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri or run.target.redirect_uri,
    }
    return _post(run, form, client_secret=client_secret)


def refresh(run: Run, refresh_token: str) -> requests.Response:
    """RFC 6749 §6: a refresh token redeemed as LivePerson renews a delegated access token."""
    return _post(run, {"grant_type": "refresh_token", "refresh_token": refresh_token})


def _post(run: Run, form: dict[str, str], *, client_secret: str | None = None) -> requests.Response:
    endpoint = run.need_endpoints().token_endpoint
    response, _, record = request_tokens(
        endpoint,
        form=form,
        client_id=run.target.client_id,
        client_secret=client_secret or run.target.client_secret,
        auth_method="basic",
        timeout=run.target.timeout,
    )
    if response is None:
        why = record.body or f"no answer within {run.target.timeout:g} s"
        raise NotRun(FAIL, f"The token endpoint {endpoint} did not answer: {why}.")
    return response
