"""`GET|POST /oauth2/v3/userinfo`: OpenID Connect Core 1.0 §5.3, bearer tokens per RFC 6750 §2.

The token may come in the Authorization header (GET or POST) or as `access_token` in a
form-encoded POST body, never both (§2). Errors are raised and answered by `backend/errors.py`
with the `WWW-Authenticate` challenge (§3).
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from backend import store
from backend.models.base import utcnow
from backend.oidc.discovery import PATHS
from backend.protocol import bearer
from backend.protocol.claims import user_claims
from backend.protocol.errors import (
    OAuthError,
    invalid_request,
    invalid_token,
    single_values,
    token_required,
)

bp = Blueprint("userinfo", __name__)


@bp.route(PATHS["userinfo_endpoint"], methods=["GET", "POST"])
def userinfo() -> ResponseReturnValue:
    token = _access_token()
    if token is None:
        raise token_required("An access token is required.")
    record = store.current().find_access_token(bearer.digest(token))
    if (record is None or record.access_token_revoked_at is not None
            or record.access_token_expires_at is None or record.access_token_expires_at <= utcnow()):
        raise invalid_token("The access token is unknown, expired or revoked.")
    return jsonify(user_claims(record.user, record.scope.split()))


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


def error_response(error: OAuthError) -> ResponseReturnValue:
    """§3: the `WWW-Authenticate` challenge; without an error code when no token came (§3.1)."""
    challenge = 'Bearer realm="userinfo"'
    if error.error is not None:
        challenge += f', error="{error.error}", error_description="{error.description}"'
    return jsonify(error.as_dict()), error.status, {**error.headers, "WWW-Authenticate": challenge}
