"""`POST /oauth2/v3/token`: where LivePerson exchanges the code (RFC 6749 §3.2, §4.1.3, §5).

Form-encoded in, JSON out; never cached (§5.1, §5.2: `security_headers.py` says so).
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from backend.db import get_db
from backend.protocol import client_auth, code_grant
from backend.protocol.errors import InvalidClient, OAuthError, invalid_request, single_values

bp = Blueprint("token", __name__)

PATH = "/oauth2/v3/token"


@bp.post(PATH)
def token() -> ResponseReturnValue:
    try:
        return jsonify(_exchange())
    except OAuthError as error:
        headers = {}
        if isinstance(error, InvalidClient) and error.used_basic:
            headers["WWW-Authenticate"] = 'Basic realm="token", charset="UTF-8"'
        return jsonify(error.as_dict()), error.status, headers


def _exchange() -> dict[str, object]:
    if request.mimetype != "application/x-www-form-urlencoded":
        raise invalid_request("Send the token request as application/x-www-form-urlencoded.")
    form = single_values(request.form)
    credentials = client_auth.credentials(request.headers.get("Authorization"), form)
    db = get_db()
    grant_type = form.get("grant_type")
    if grant_type != "authorization_code":
        client_auth.authenticate(db, credentials)  # an unknown client hears invalid_client first
        if grant_type is None:
            raise invalid_request("The parameter 'grant_type' is required.")
        raise OAuthError("unsupported_grant_type", "Only authorization_code is supported.")
    extensions = current_app.extensions
    return code_grant.redeem(
        db,
        autocommit=extensions["db_autocommit"],
        credentials=credentials,
        form=form,
        issuer=current_app.config["ISSUER"],
        keyring=extensions["keyring"],
        lifetimes=extensions["lifetimes"],
    )
