"""`POST /consent`: the customer's answer on the consent page (OpenID Connect Core 1.0
§3.1.2.4), which the authorization endpoint shows before it issues a code for API scopes the
customer has not allowed the client (`authorize.py`, `protocol/delegation.py`).

The form carries the authorization request it answers, which is validated again as at the
authorization endpoint, and is CSRF-protected like the login form. "Allow" remembers the
consent for this customer and client and goes on to the code; "Deny" sends the client
`access_denied` (RFC 6749 §4.1.2.1). Errors take the authorization endpoint's path
(`backend/errors.py`): to the client's redirect URI, or an error page when that is unsafe.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from flask import Blueprint, abort, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from backend import store
from backend.login import csrf
from backend.models.base import utcnow
from backend.oidc.authorize import proceed
from backend.protocol import delegation, parameters
from backend.protocol.authorization_request import parse

bp = Blueprint("consent", __name__)

DECISIONS = ("allow", "deny")


@bp.post("/consent")
def consent() -> ResponseReturnValue:
    csrf.check()
    answered = request.form.get("authorization_request", "")
    params = MultiDict(parse_qsl(answered, keep_blank_values=True))
    # What the request guard refuses in an authorization request, refused inside this one too.
    reason = parameters.pairs_problem(params.items(multi=True))
    if reason is not None:
        abort(400, reason)
    auth = parse(store.current(), params)
    decision = request.form.get("decision")
    if decision not in DECISIONS:
        abort(400, f"decision must be one of {', '.join(DECISIONS)}.")
    if decision == "deny":
        raise auth.error("access_denied", "The customer did not allow the client to act for them.")
    allowed = delegation.to_ask(auth.client, auth.scopes, consented=(), again=True)
    logged_in = current_user.is_authenticated
    if logged_in and allowed:
        store.current().save_consent(current_user.user.id, auth.client.client_id, allowed, utcnow())
    # Logged out since the page was shown: `proceed` sends the customer to log in, then asks again.
    return proceed(auth, params, consented=logged_in)
