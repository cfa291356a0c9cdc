"""`POST /oauth2/v3/revoke`: token revocation (RFC 7009 §2), for LivePerson or any client.

Form-encoded in; 200 with an empty body when the token is revoked or was never valid (§2.2).
Errors are raised and answered by `backend/errors.py` as RFC 6749 §5.2 JSON (§2.2.1).
"""

from __future__ import annotations

from flask import Blueprint, request
from flask.typing import ResponseReturnValue

from backend import store
from backend.oidc.discovery import PATHS
from backend.protocol import client_auth, revocation
from backend.protocol.errors import invalid_request, single_values

bp = Blueprint("revoke", __name__)


@bp.post(PATHS["revocation_endpoint"])
def revoke() -> ResponseReturnValue:
    if request.mimetype != "application/x-www-form-urlencoded":
        raise invalid_request("Send the revocation request as application/x-www-form-urlencoded.")
    form = single_values(request.form)
    credentials = client_auth.credentials(request.headers.get("Authorization"), form)
    revocation.revoke(store.current(), credentials, form)
    return "", 200
