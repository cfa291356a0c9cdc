"""`POST /api/liveperson/jwt`: a signed id_token for the implicit flow, for the logged-in customer.

The app hands it to the SDK (`callback(id_token)` on the web, `setHostAppJWT` on mobile). When
LivePerson's encryption key is configured, the signed token is wrapped in a nested JWE.
Errors are raised, and answered as JSON by `backend/errors.py`.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from backend.db import get_db
from backend.liveperson.client import liveperson_client, request_body
from backend.protocol import id_token
from backend.protocol.claims import SUPPORTED_SCOPES

bp = Blueprint("liveperson_jwt", __name__, url_prefix="/api/liveperson")


@bp.post("/jwt")
@login_required
def jwt() -> ResponseReturnValue:
    request_body()
    client = liveperson_client()
    config, extensions = current_app.config, current_app.extensions
    token = id_token.issue(
        issuer=config["ISSUER"],
        subject=id_token.subject_claims(current_user.user, list(SUPPORTED_SCOPES)),
        client_id=client.client_id,
        auth_time=current_user.auth_time,
        lifetime=config["ID_TOKEN_LIFETIME"],
        key=extensions["keyring"].signing_key(get_db()),
        encrypt_for=extensions["liveperson_jwe"],
    )
    return jsonify(id_token=token, expires_in=config["ID_TOKEN_LIFETIME"])
