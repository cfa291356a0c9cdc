"""Device tokens: the proof that a browser or app has logged in to an account before, after
OWASP's "Slow down online guessing attacks with device cookies".

A successful login hands out a token naming the account and a random device id, signed with
the SECRET_KEY. Browsers keep it as the `backend_device` cookie (kept across logouts); apps
get it in the JSON answer and store it with their session, the Kivy app in the operating
system's secret store. A login that presents a valid token for its account is counted
against that device alone (`throttle.py`), so failures made elsewhere never lock it out.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import Response, after_this_request, current_app, request
from itsdangerous import BadData, URLSafeTimedSerializer

from backend.models import User

COOKIE = "backend_device"


def hand_out(user: User) -> str:
    """A new device token for `user`, set as the browser's cookie on this response and
    returned for the apps' JSON."""
    token = _serializer().dumps([user.subject, secrets.token_urlsafe(16)])
    config = current_app.config

    @after_this_request
    def _remember(response: Response) -> Response:
        response.set_cookie(
            COOKIE, token, max_age=config["DEVICE_LIFETIME"], httponly=True,
            secure=config["SESSION_COOKIE_SECURE"], samesite="Lax",
        )
        return response

    return token


def presented(body: dict[str, Any] | None = None) -> str | None:
    """The device token the app sent in its JSON body, or else the browser's cookie."""
    sent = (body or {}).get("device_token")
    return sent if isinstance(sent, str) else request.cookies.get(COOKIE)


def recognised(token: str | None, user: User | None) -> str | None:
    """The device id that `token` proves for `user`, or None (no token, forged, expired, or
    another account's)."""
    if not token or user is None:
        return None
    try:
        subject, device = _serializer().loads(token, max_age=current_app.config["DEVICE_LIFETIME"])
    except (BadData, TypeError, ValueError):  # bad signature, or a signed value of another shape
        return None
    return device if subject == user.subject and isinstance(device, str) else None


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="login device")
