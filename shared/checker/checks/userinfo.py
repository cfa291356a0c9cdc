"""The userinfo endpoint: `userinfo`.

OpenID Connect Core §5.3 (userinfo answers the access token, sent as a Bearer token per
RFC 6750 §2.1) and §5.3.2 (with the id_token's `sub`). LivePerson does not need a userinfo
endpoint; when the brand advertises one, it must agree with the id_token.
"""

from __future__ import annotations

from shared.checker.reasons import FAIL, PASS, WARN, NotRun, Outcome
from shared.checker.run import Run
from shared.validation.userinfo import fetch_userinfo


def userinfo(run: Run) -> Outcome:
    """OpenID Connect Core §5.3: userinfo answers the access token (Bearer, RFC 6750 §2.1) with
    the id_token's `sub` (§5.3.2)."""
    endpoints = run.need_endpoints()
    if "userinfo_endpoint" in endpoints.refused:
        return FAIL, endpoints.refused["userinfo_endpoint"]
    if not endpoints.userinfo_endpoint:
        return WARN, (
            "The discovery document has no userinfo_endpoint; LivePerson does not need one, but "
            "cannot call userinfo with the access token."
        )
    tokens = run.need_tokens()
    access_token = tokens.get("access_token")
    if not isinstance(access_token, str):
        return FAIL, "The token response has no access_token, so userinfo cannot be called."
    sub = run.need_claims().get("sub")
    if not isinstance(sub, str):
        raise NotRun(WARN, "not checked: the id_token has no sub to compare (see id-token-sub).")
    fetch_userinfo(endpoints.userinfo_endpoint, access_token, sub=sub, timeout=run.target.timeout)
    return PASS, f"{endpoints.userinfo_endpoint} answered the access token with the same sub."
