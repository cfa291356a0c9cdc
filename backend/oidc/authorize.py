"""`GET|POST /oauth2/v3/authorize`: the authorization endpoint (RFC 6749 §3.1, §4.1; OpenID
Connect Core 1.0 §3.1.2, §3.2.2).

LivePerson opens it in the popped-out chat window: the customer logs in here if needed, and is
sent back to the window's redirect URI with a code (code flow) or an id_token (implicit flow)
and LivePerson's several-KB `state`, unchanged. Errors are raised, and `backend/errors.py`
redirects them to the client or, when redirecting is unsafe, shows an error page.

A code for the brand's API scopes (Consumer Delegation, `protocol/delegation.py`) waits for the
customer's consent when the client needs it: the consent page is shown here, after the login
and before the code, and its answer is posted to `/consent` (`consent.py`), which goes on here.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.datastructures import MultiDict

from backend import store
from backend.db import get_db
from backend.login.sessions import Login
from backend.models.base import utcnow
from backend.oidc.discovery import PATHS
from backend.protocol import code_grant, delegation, id_token
from backend.protocol.authorization_request import AuthorizationError, AuthorizationRequest, parse
from backend.protocol.errors import OAuthError

bp = Blueprint("authorize", __name__)

# prompt=login and max_age ask for a fresh login. The request the login page resumes keeps
# them, plus this signed time: a login after it satisfies them (no login loop), and nobody
# can skip the login by opening the resumed URL, since only the server can sign the time.
_LOGIN_AFTER = "login_after"
_LOGIN_AFTER_LIFETIME = 600  # seconds a user may spend on the login page

@bp.route(PATHS["authorization_endpoint"], methods=["GET", "POST"])
def authorize() -> ResponseReturnValue:
    params = request.form if request.method == "POST" else request.args
    return proceed(parse(store.current(), params), params)


def proceed(auth: AuthorizationRequest, params: MultiDict[str, str],
            consented: bool = False) -> ResponseReturnValue:
    """The validated request `auth` (with its `params`), once the login and the consent are
    settled: on to the login page, the consent page, or the client. `consented`: the customer
    has just allowed it on the consent page."""
    status = redirect_status()
    login: Login | None = current_user if current_user.is_authenticated else None
    if login is None or _needs_reauthentication(auth, login, params.get(_LOGIN_AFTER)):
        if "none" in auth.prompt:
            raise auth.error("login_required", "The user is not logged in.")
        return redirect(url_for("login_page.login", next=_resume_path(auth, params)), code=status)
    asked = [] if consented else delegation.to_ask(
        auth.client, auth.scopes,
        store.current().find_consent(login.user.id, auth.client.client_id),
        again="consent" in auth.prompt,
    )
    if asked:
        if "none" in auth.prompt:
            raise auth.error("consent_required", "The customer has not allowed the client "
                             f"{' '.join(asked)} (OpenID Connect Core §3.1.2.6).")
        return render_template(
            "consent.html", client_name=auth.client.display_name, scopes=asked,
            descriptions=delegation.API_SCOPES, email=login.user.email,
            authorization_request=urlencode(list(params.items(multi=True))),
        )
    return redirect(_respond(auth, login), code=status)


def redirect_status() -> int:
    """After a POST, 303 makes the browser follow the redirect with GET (RFC 9110 §15.4.4)."""
    return 303 if request.method == "POST" else 302


def error_response(error: OAuthError) -> ResponseReturnValue:
    """§4.1.2.1: to the client's redirect URI, with `state`; when that is unsafe (an unknown
    client, an unregistered redirect URI), an error page, and no redirect at all."""
    if isinstance(error, AuthorizationError):
        return redirect(error.redirect_to, code=redirect_status())
    page = render_template("error.html", title="Login request refused", message=error.description)
    return page, error.status


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
    if auth.response_type == "code":
        code = code_grant.issue_code(
            store.current(),
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
    return auth.respond(id_token=id_token.issue(
        issuer=config["ISSUER"],
        subject=id_token.subject_claims(login.user, auth.scopes),
        client_id=auth.client.client_id,
        auth_time=login.auth_time,
        lifetime=config["ID_TOKEN_LIFETIME"],
        key=current_app.extensions["keyring"].signing_key(get_db()),
        nonce=auth.nonce,
        encrypt_for=current_app.extensions["liveperson_jwe"],
    ))
