"""`POST /oauth2/v3/token`: where LivePerson exchanges the code (RFC 6749 §3.2, §4.1.3, §5) and,
for a delegated grant, refreshes the access token (§6).

Form-encoded in, JSON out; never cached (§5.1, §5.2: `security_headers.py` says so). Errors
are raised and answered by `backend/errors.py` as §5.2 JSON.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from backend import store
from backend.db import get_db
from backend.oidc.discovery import PATHS
from backend.protocol import client_auth, code_grant, refresh_grant
from backend.protocol.errors import OAuthError, invalid_request, single_values

bp = Blueprint("token", __name__)

GRANT_TYPES = ("authorization_code", "refresh_token")


@bp.post(PATHS["token_endpoint"])
def token() -> ResponseReturnValue:
    if request.mimetype != "application/x-www-form-urlencoded":
        raise invalid_request("Send the token request as application/x-www-form-urlencoded.")
    form = single_values(request.form)
    credentials = client_auth.credentials(request.headers.get("Authorization"), form)
    grants = store.current()
    grant_type = form.get("grant_type")
    extensions = current_app.extensions
    if grant_type == "refresh_token":
        return jsonify(refresh_grant.refresh(
            grants, credentials=credentials, form=form, lifetimes=extensions["lifetimes"]
        ))
    if grant_type != "authorization_code":
        client_auth.authenticate(grants, credentials)  # an unknown client hears invalid_client first
        if grant_type is None:
            raise invalid_request("The parameter 'grant_type' is required.")
        raise OAuthError("unsupported_grant_type", f"Supported: {', '.join(GRANT_TYPES)}.")
    return jsonify(code_grant.redeem(
        grants,
        credentials=credentials,
        form=form,
        issuer=current_app.config["ISSUER"],
        # Before the code is consumed: a key that cannot be read burns no code.
        key=extensions["keyring"].signing_key(get_db()),
        lifetimes=extensions["lifetimes"],
    ))
