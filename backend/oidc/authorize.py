"""`GET|POST /oauth2/v3/authorize`: the authorization endpoint (RFC 6749 §3.1, §4.1; OpenID
Connect Core 1.0 §3.1.2, §3.2.2).

LivePerson opens it in the popped-out chat window: the customer logs in here if needed, and is
sent back to the window's redirect URI with a code (code flow) or an id_token (implicit flow)
and LivePerson's several-KB `state`, unchanged.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.datastructures import MultiDict

from backend.db import get_db
from backend.liveperson.client import as_liveperson_receives_it
from backend.login.sessions import Login
from backend.models.base import utcnow
from backend.protocol import code_grant, id_token
from backend.protocol.authorization_request import (
    AuthorizationError,
    AuthorizationRequest,
    parse,
)
from backend.protocol.errors import UnsafeRedirect

bp = Blueprint("authorize", __name__)

# prompt=login and max_age ask for a fresh login. The request the login page resumes keeps
# them, plus this signed time: a login after it satisfies them (no login loop), and nobody
# can skip the login by opening the resumed URL, since only the server can sign the time.
_LOGIN_AFTER = "login_after"
_LOGIN_AFTER_LIFETIME = 600  # seconds a user may spend on the login page

@bp.route("/oauth2/v3/authorize", methods=["GET", "POST"])
def authorize() -> ResponseReturnValue:
    params = request.form if request.method == "POST" else request.args
    # After a POST, a 303 makes the browser follow with GET (checklist item 4).
    status = 303 if request.method == "POST" else 302
    try:
        auth = parse(get_db(), params)
    except UnsafeRedirect as unsafe:
        return render_template("error.html", title="Sign-in request refused", message=str(unsafe)), 400
    except AuthorizationError as error:
        return redirect(error.redirect_to, code=status)

    login: Login | None = current_user if current_user.is_authenticated else None
    if login is None or _needs_reauthentication(auth, login, params.get(_LOGIN_AFTER)):
        if "none" in auth.prompt:
            return redirect(auth.respond(
                error="login_required", error_description="The user is not logged in."
            ), code=status)
        return redirect(url_for("login_page.login", next=_resume_path(auth, params)), code=status)
    return redirect(_respond(auth, login), code=status)


def _needs_reauthentication(auth: AuthorizationRequest, login: Login, marker: str | None) -> bool:
    too_old = auth.max_age is not None and (
        utcnow() - login.auth_time > timedelta(seconds=auth.max_age)
    )
    if "login" not in auth.prompt and not too_old:
        return False
    try:
        login_after = _signer().loads(marker or "", max_age=_LOGIN_AFTER_LIFETIME)
    except BadData:
        return True
    return login.auth_time.timestamp() < login_after


def _resume_path(auth: AuthorizationRequest, params: MultiDict[str, str]) -> str:
    kept = [(name, value) for name, value in params.items(multi=True) if name != _LOGIN_AFTER]
    if "login" in auth.prompt or auth.max_age is not None:
        kept.append((_LOGIN_AFTER, _signer().dumps(utcnow().timestamp())))
    return f"{url_for('authorize.authorize')}?{urlencode(kept)}"


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="authorize login_after")


def _respond(auth: AuthorizationRequest, login: Login) -> str:
    config = current_app.config
    db = get_db()
    if auth.response_type == "code":
        code = code_grant.issue_code(
            db,
            client=auth.client,
            user=login.user,
            redirect_uri=auth.redirect_uri,
            scopes=auth.scopes,
            auth_time=login.auth_time,
            lifetime=config["CODE_LIFETIME"],
            nonce=auth.nonce,
            code_challenge=auth.code_challenge,
            code_challenge_method=auth.code_challenge_method,
        )
        return auth.respond(code=code)
    claims = id_token.claims(
        issuer=config["ISSUER"],
        subject=id_token.subject_claims(login.user, auth.scopes),
        client_id=auth.client.client_id,
        auth_time=login.auth_time,
        now=utcnow(),
        lifetime=config["ID_TOKEN_LIFETIME"],
        nonce=auth.nonce,
    )
    signed = id_token.sign(claims, current_app.extensions["keyring"].signing_key(db))
    return auth.respond(id_token=as_liveperson_receives_it(signed, auth.client.client_id))
