"""Consumer Delegation, what LivePerson needs from the brand before it turns the feature on
("Consumer Delegation — How it works": the token endpoint also answers a refresh token, and
LivePerson renews the access token with it while the conversation lasts; bots call the brand's
API with that access token): `delegation-refresh`, `delegation-api`, `delegation-reuse`,
`delegation-revoked`. They run when a delegated scope is named (`--delegation-scope`).

RFC 6749 §6 (the refresh grant), RFC 9700 §4.14 (refresh tokens rotated, and a reused one
revoking its grant), RFC 6750 §3.1 (a revoked access token refused with `invalid_token`).
"""

from __future__ import annotations

import requests

from shared.checker.reasons import FAIL, PASS, WARN, NotRun, Outcome, detail, error_code, json_body
from shared.checker.run import Delegation, Run
from shared.checker.token_endpoint import exchange, refresh
from shared.validation import brand_http


def delegation_refresh(run: Run) -> Outcome:
    """A code asked for with the delegated scope is exchanged for a refresh token, which is
    exchanged in turn for a new access token and a new refresh token (rotation)."""
    scope = run.target.delegation_scope
    assert scope is not None, "the registry runs delegation checks only with a delegated scope"
    body, _ = exchange(run, run.fresh_code(scope=f"openid {scope}"))
    first = body.get("refresh_token")
    if not isinstance(first, str):
        granted = body.get("scope")
        if isinstance(granted, str) and scope not in granted.split():
            raise NotRun(
                WARN,
                f"not checked: the backend granted {granted!r}, without {scope}: the "
                "customer has not consented to it for this client, or the client may not ask it.",
            )
        raise NotRun(
            FAIL,
            f"The token response to a code for {scope} has no refresh_token: "
            "LivePerson keeps the delegated tokens fresh with it.",
        )
    answer = refresh(run, first)
    renewed = json_body(answer)
    if answer.status_code != 200 or not isinstance(renewed.get("access_token"), str):
        raise NotRun(
            FAIL,
            f"grant_type=refresh_token was answered HTTP {answer.status_code} "
            f"{detail(answer)}, not 200 with an access_token (RFC 6749 §6).",
        )
    second = renewed.get("refresh_token")
    if not isinstance(second, str) or second == first:
        raise NotRun(
            FAIL,
            "The refresh answered no new refresh_token: refresh tokens should rotate, so "
            "that a stolen one is found out when it is used twice (RFC 9700 §4.14).",
        )
    run.delegation = Delegation([first, second], renewed["access_token"])
    return PASS, "The refresh token is exchanged for a new access token and a new refresh token."


def delegation_api(run: Run) -> Outcome:
    """The delegated access token opens the brand's API, as a LivePerson bot calls it."""
    delegation = run.need_delegation()
    answer = _call_api(run, delegation.access_token)
    if answer.status_code != 200:
        raise NotRun(
            FAIL,
            f"{run.target.brand_api} answered the delegated access token "
            f"HTTP {answer.status_code} {detail(answer)}, not 200.",
        )
    return PASS, f"{run.target.brand_api} answers 200 to the delegated access token."


def delegation_reuse(run: Run) -> Outcome:
    """A spent refresh token used again is refused, and revokes its grant: the newer refresh
    token is refused too."""
    delegation = run.need_delegation()
    spent, latest = delegation.refresh_tokens
    replay = refresh(run, spent)
    if replay.status_code != 400 or error_code(replay) != "invalid_grant":
        raise NotRun(
            FAIL,
            f"A spent refresh token used again was answered HTTP {replay.status_code} "
            f"{detail(replay)}, not 400 invalid_grant (RFC 9700 §4.14).",
        )
    after = refresh(run, latest)
    if after.status_code == 200:
        raise NotRun(
            FAIL,
            "A spent refresh token was refused, but the grant lives on: the newer refresh "
            "token still works. Reuse means one of the two is stolen: revoke the grant.",
        )
    return PASS, "A spent refresh token is refused (invalid_grant) and its whole grant revoked."


def delegation_revoked(run: Run) -> Outcome:
    """Once the grant is revoked (by delegation-reuse), its access token is refused at the API."""
    delegation = run.need_delegation()
    answer = _call_api(run, delegation.access_token)
    if answer.status_code != 401:
        raise NotRun(
            FAIL,
            f"{run.target.brand_api} answered a revoked access token HTTP "
            f"{answer.status_code}, not 401 invalid_token (RFC 6750 §3.1).",
        )
    challenge = answer.headers.get("WWW-Authenticate", "")
    if "invalid_token" not in challenge:
        return (
            WARN,
            f"A revoked access token is refused (401), but WWW-Authenticate says {challenge!r}, "
            'without error="invalid_token" (RFC 6750 §3).',
        )
    return PASS, "A revoked access token is refused at the API: 401 invalid_token."


def _call_api(run: Run, access_token: str) -> requests.Response:
    if run.target.brand_api is None:
        raise NotRun(WARN, "not checked: name the brand API a bot calls with --brand-api URL.")
    try:
        return brand_http.request(
            "GET",
            run.target.brand_api,
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=run.target.timeout,
        )
    except requests.RequestException as error:
        raise NotRun(FAIL, f"Could not reach {run.target.brand_api}: {error}") from None
