"""`/`: who is logged in, and where the identity provider's endpoints are."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from backend.oidc.discovery import endpoint_urls

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> ResponseReturnValue:
    issuer = current_app.config["ISSUER"]
    user = current_user.user if current_user.is_authenticated else None
    return render_template("index.html", user=user, issuer=issuer, endpoints=endpoint_urls(issuer))
