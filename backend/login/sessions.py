"""Login sessions, and how flask-login finds the current one.

One `LoginSession` row per login; the browser holds its token in the signed session cookie,
an app sends it as `Authorization: Bearer <session_token>`. Either way the row can be revoked.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask, Request, current_app, jsonify, redirect, request, session, url_for
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask.typing import ResponseReturnValue
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from sqlalchemy import update
from sqlalchemy.orm import Session

from backend.db import get_db
from backend.models import LoginSession, User
from backend.models.base import digest, new_secret, utcnow
from backend.protocol import access_token, bearer
from backend.protocol.errors import OAuthError, invalid_token, token_required


class Login(UserMixin):
    """What flask-login calls the user: a live login session of a `User`."""

    def __init__(self, token: str, record: LoginSession) -> None:
        self.token = token
        self.record = record

    @property
    def user(self) -> User:
        return self.record.user

    @property
    def auth_time(self) -> datetime:
        return self.record.auth_time

    def get_id(self) -> str:
        return self.token


class _CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, read only when the cookie came. LivePerson's token
    requests never carry it, and building the cookie signer was 7% of such a request."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)


def init_app(app: Flask) -> None:
    app.session_interface = _CookieSessions()
    manager = LoginManager(app)
    # Revocable server-side sessions replace flask-login's IP/User-Agent heuristics, which
    # would log out mobile users whenever their network changes.
    manager.session_protection = None
    manager.user_loader(_load_from_cookie)
    manager.request_loader(_load_from_bearer)
    manager.unauthorized_handler(_unauthorized)


def sign_in(user: User) -> str:
    """Start a login session and return its token. The session this request was logged in
    with, if any, ends: a login replaces it. The cookie session is cleared, so nothing from
    before the login (a fixated session, an old CSRF token) survives it."""
    token = new_secret()
    now = utcnow()
    record = LoginSession(
        token_hash=digest(token),
        user_id=user.id,
        auth_time=now,
        expires_at=now + timedelta(seconds=current_app.config["SESSION_LIFETIME"]),
    )
    db = get_db()
    if current_user.is_authenticated:
        _revoke(db, current_user.token)
    db.add(record)
    db.commit()
    session.clear()
    session.permanent = True
    login_user(Login(token, record))
    return token


def sign_out(login: Login) -> None:
    """Revoke the login session everywhere and clear the cookie session that holds it."""
    db = get_db()
    _revoke(db, login.token)
    db.commit()
    # The cookie session is cleared only when it is this login: an app ending its bearer
    # token must not log the browser out of its own, separate session.
    if session.get("_user_id") == login.token:
        logout_user()
        session.clear()


def _revoke(db: Session, token: str) -> None:
    db.execute(
        update(LoginSession).where(LoginSession.token_hash == digest(token)).values(revoked_at=utcnow())
    )


def _load(token: str) -> Login | None:
    record = get_db().get(LoginSession, digest(token))
    if record is None or record.revoked_at is not None or record.expires_at <= utcnow():
        return None
    return Login(token, record)


def _bearer_token() -> str | None:
    try:
        return bearer.from_header(request.headers.get("Authorization"))
    except OAuthError:
        # "Bearer" without a token names no session: the request is answered as one that
        # sent none (flask-login's loaders cannot answer with an error).
        return None


def _load_from_cookie(token: str) -> Login | None:
    # A request that names a bearer token acts as that login only: DELETE /api/session must
    # end the session it names, and a bad token must not be rescued by a cookie.
    if _bearer_token() is not None:
        return None
    return _load(token)


def _load_from_bearer(req: object) -> Login | None:
    token = _bearer_token()
    return None if token is None else _load(token)


def _unauthorized() -> ResponseReturnValue:
    if request.path.startswith("/api/"):
        body = {"error": "login_required", "error_description": "Log in first."}
        # A 401 names the scheme that would succeed (RFC 9110 §15.5.2, RFC 6750 §3); a session
        # token that was sent and refused is `invalid_token` (§3.1).
        refused = (token_required("Log in first.") if _bearer_token() is None
                   else invalid_token("The session token is unknown, expired or revoked."))
        return jsonify(body), 401, {"WWW-Authenticate": access_token.challenge("api", refused)}
    return redirect(url_for("login_page.login", next=request.full_path.rstrip("?")))
