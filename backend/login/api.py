"""The JSON login API for the brand's apps: `/api/session` and `/api/me`.

Apps send `Authorization: Bearer <session_token>`; browsers may use the cookie instead.
Only `application/json` bodies are accepted, which a cross-site form cannot send. A login
answers with a device token as well (`devices.py`): apps keep it and send it with their next
login, so that failures made elsewhere cannot lock their customer out.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from backend.login import devices
from backend.login.credentials import LoginRefused, check_credentials
from backend.login.sessions import sign_in, sign_out
from backend.login.throttle import RateLimited

bp = Blueprint("login_api", __name__, url_prefix="/api")


def _error(status: int, error: str, description: str) -> ResponseReturnValue:
    return jsonify(error=error, error_description=description), status


@bp.post("/session")
def create_session() -> ResponseReturnValue:
    body = request.get_json(silent=True) if request.is_json else None
    if not isinstance(body, dict):
        return _error(400, "invalid_request", 'Send JSON {"email": ..., "password": ...}.')
    email, password = body.get("email"), body.get("password")
    if not isinstance(email, str) or not isinstance(password, str):
        return _error(400, "invalid_request", "email and password must be strings.")
    if not isinstance(body.get("device_token", ""), str):
        return _error(400, "invalid_request", "device_token must be a string.")
    try:
        user = check_credentials(email, password, devices.presented(body))
    except LoginRefused as refused:
        return _error(401, "invalid_credentials", str(refused))
    except RateLimited as limited:
        response = jsonify(error="rate_limited", error_description=str(limited),
                           retry_after=limited.retry_after)
        return response, 429, {"Retry-After": str(limited.retry_after)}
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
