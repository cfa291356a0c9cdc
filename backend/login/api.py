"""The JSON login API for the brand's apps: `/api/session` and `/api/me`.

Apps send `Authorization: Bearer <session_token>`; browsers may use the cookie instead.
Only `application/json` bodies are accepted, which a cross-site form cannot send. A login
answers with a device token as well (`devices.py`): apps keep it and send it with their next
login, so that failures made elsewhere cannot lock their customer out. Errors are raised, and
answered as `{"error", "error_description"}` JSON by `backend/errors.py`, like every app API's.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from backend.login import devices
from backend.login.credentials import LoginRefused, check_credentials
from backend.login.sessions import sign_in, sign_out
from backend.login.throttle import RateLimited
from backend.protocol.errors import OAuthError, invalid_request

bp = Blueprint("login_api", __name__, url_prefix="/api")


class TooManyAttempts(OAuthError):
    """429 `rate_limited`, with the wait in seconds in the body and in `Retry-After`."""

    def __init__(self, limited: RateLimited) -> None:
        super().__init__("rate_limited", str(limited), status=429,
                         headers={"Retry-After": str(limited.retry_after)})
        self.retry_after = limited.retry_after

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "retry_after": self.retry_after}


@bp.post("/session")
def create_session() -> ResponseReturnValue:
    body = request.get_json(silent=True) if request.is_json else None
    if not isinstance(body, dict):
        raise invalid_request('Send JSON {"email": ..., "password": ...}.')
    email, password = body.get("email"), body.get("password")
    if not isinstance(email, str) or not isinstance(password, str):
        raise invalid_request("email and password must be strings.")
    if not isinstance(body.get("device_token", ""), str):
        raise invalid_request("device_token must be a string.")
    try:
        user = check_credentials(email, password, devices.presented(body))
    except LoginRefused as refused:
        raise OAuthError("invalid_credentials", str(refused), status=401) from None
    except RateLimited as limited:
        raise TooManyAttempts(limited) from None
    token = sign_in(user)
    return jsonify(session_token=token, user=user.profile(), device_token=devices.hand_out(user))


@bp.delete("/session")
@login_required
def delete_session() -> ResponseReturnValue:
    sign_out(current_user)
    return "", 204


@bp.get("/me")
@login_required
def me() -> ResponseReturnValue:
    return jsonify(current_user.user.profile())
