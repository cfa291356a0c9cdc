"""`POST /api/liveperson/code`: a code for the code flow, for the logged-in customer.

The app passes it to the SDK (`callback({ssoKey: code, redirect_uri})` on the web,
`setAuthKey(code)` + `setHostAppRedirectUri(uri)` on mobile); LivePerson then redeems it at the
token endpoint with the same redirect URI. With PKCE, the SDK's `code_challenge` comes along.
Errors are raised, and answered as JSON by `backend/errors.py`.

The code is for the identity scopes, plus the brand's API scopes the optional `scope` asks for
(Consumer Delegation, `protocol/delegation.py`): those the client is registered for and, unless
it is first-party for them, the customer allowed it before on the consent page, since no page
can be shown here. The answer's `scope` says what the code grants.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from backend import store
from backend.liveperson.client import liveperson_client, request_body
from backend.protocol import code_grant, delegation, pkce
from backend.protocol.claims import SUPPORTED_SCOPES
from backend.protocol.errors import invalid_request

bp = Blueprint("liveperson_code", __name__, url_prefix="/api/liveperson")


@bp.post("/code")
@login_required
def code() -> ResponseReturnValue:
    body = request_body()
    client = liveperson_client()
    redirect_uri = body.get("redirect_uri") or client.redirect_uris[0]
    if redirect_uri not in client.redirect_uris:
        raise invalid_request(f"redirect_uri {redirect_uri!r} is not registered for the client.")
    challenge = body.get("code_challenge")
    method = None
    if challenge:
        # LivePerson's SDK hands the page only the challenge, and always computes it with
        # S256; so S256, not RFC 7636's "plain", is the default here.
        method = pkce.check_challenge(
            challenge, body.get("code_challenge_method", "S256"), client.allow_plain_pkce
        )
    elif client.pkce_required:
        raise invalid_request("The LivePerson client requires PKCE: send code_challenge.")
    grants = store.current()
    user = current_user.user
    consented = grants.find_consent(user.id, client.client_id)
    scopes = delegation.without_asking(
        client, [*SUPPORTED_SCOPES, *delegation.registered(client, body.get("scope", ""))], consented
    )
    lifetime = current_app.config["CODE_LIFETIME"]
    issued = code_grant.issue_code(
        grants,
        client=client,
        user=user,
        redirect_uri=redirect_uri,
        scopes=scopes,
        auth_time=current_user.auth_time,
        lifetime=lifetime,
        code_challenge=challenge or None,
        code_challenge_method=method,
    )
    return jsonify(code=issued, redirect_uri=redirect_uri, expires_in=lifetime, scope=" ".join(scopes))
