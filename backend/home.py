"""`/`: the customer's account page: who is logged in, the clients they let act for them at the
brand's API (Consumer Delegation), each with a "Revoke" button (`POST /access/revoke`), and
where the identity provider's endpoints are."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from backend import store
from backend.login import csrf
from backend.models.base import utcnow
from backend.oidc.discovery import endpoint_urls
from backend.protocol.delegation import API_SCOPES

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> ResponseReturnValue:
    issuer = current_app.config["ISSUER"]
    user = current_user.user if current_user.is_authenticated else None
    access = [] if user is None else store.current().access_granted(user.id, utcnow())
    return render_template("index.html", user=user, issuer=issuer, endpoints=endpoint_urls(issuer),
                           access=access, descriptions=API_SCOPES)


@bp.post("/access/revoke")
def revoke_access() -> ResponseReturnValue:
    """The customer takes back a client's access: its consent, and every refresh token and
    access token of its delegated grants. A client without access changes nothing."""
    csrf.check()
    if current_user.is_authenticated:
        store.current().withdraw(current_user.user.id, request.form.get("client_id", ""), utcnow())
        return redirect(url_for("home.index"), code=303)
    return redirect(url_for("login_page.login"), code=303)
