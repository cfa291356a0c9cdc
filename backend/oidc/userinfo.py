"""`GET|POST /oauth2/v3/userinfo`: OpenID Connect Core 1.0 §5.3, bearer tokens per RFC 6750 §2.

The token may come in the Authorization header (GET or POST) or as `access_token` in a
form-encoded POST body, never both (§2). Errors are raised and answered by `backend/errors.py`
with the `WWW-Authenticate` challenge (§3).
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from backend import store
from backend.oidc.discovery import PATHS
from backend.protocol import access_token, bearer
from backend.protocol.claims import user_claims
from backend.protocol.errors import invalid_request, single_values

bp = Blueprint("userinfo", __name__)


@bp.route(PATHS["userinfo_endpoint"], methods=["GET", "POST"])
def userinfo() -> ResponseReturnValue:
    granted = access_token.check(store.current(), _access_token())
    return jsonify(user_claims(granted.user, granted.scopes))


def _access_token() -> str | None:
    in_body = None
    if request.method == "POST" and request.mimetype == "application/x-www-form-urlencoded":
        in_body = single_values(request.form).get("access_token")
    in_header = bearer.from_header(request.headers.get("Authorization"))
    if in_header is None:
        return in_body
    if in_body is not None:
        raise invalid_request("Send the access token in the header or in the body, not both.")
    return in_header

