"""`GET|POST /oauth2/v3/userinfo`: OpenID Connect Core 1.0 §5.3, bearer tokens per RFC 6750 §2.

The token may come in the Authorization header (GET or POST) or as `access_token` in a
form-encoded POST body, never both (§2). Errors use the `WWW-Authenticate` challenge (§3).
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from backend.db import get_db
from backend.models import AuthorizationCode
from backend.models.base import digest, utcnow
from backend.protocol.claims import user_claims
from backend.protocol.errors import OAuthError, invalid_request, single_values

bp = Blueprint("userinfo", __name__)


@bp.route("/oauth2/v3/userinfo", methods=["GET", "POST"])
def userinfo() -> ResponseReturnValue:
    try:
        token = _bearer_token()
    except OAuthError as error:
        return _challenge(error.status, error.error, error.description)
    if token is None:
        # §3.1: a request without credentials gets a bare challenge, no error code.
        return _challenge(401, None, "An access token is required.")
    record = get_db().scalar(
        select(AuthorizationCode).where(AuthorizationCode.access_token_hash == digest(token))
    )
    if (record is None or record.access_token_revoked_at is not None
            or record.access_token_expires_at is None or record.access_token_expires_at <= utcnow()):
        return _challenge(401, "invalid_token", "The access token is unknown, expired or revoked.")
    return jsonify(user_claims(record.user, record.scope.split()))


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization")
    in_body = None
    if request.method == "POST" and request.mimetype == "application/x-www-form-urlencoded":
        in_body = single_values(request.form).get("access_token")
    if header is None:
        return in_body
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        # §3.1: another scheme (Basic, say) carries no bearer token; answered as if absent.
        return in_body
    if not token.strip():
        raise invalid_request("The Authorization header must be 'Bearer <access token>'.")
    if in_body is not None:
        raise invalid_request("Send the access token in the header or in the body, not both.")
    return token.strip()


def _challenge(status: int, error: str | None, description: str) -> ResponseReturnValue:
    challenge = 'Bearer realm="userinfo"'
    body: dict[str, str] = {"error_description": description}
    if error is not None:
        challenge += f', error="{error}", error_description="{description}"'
        body["error"] = error
    return jsonify(body), status, {"WWW-Authenticate": challenge}
