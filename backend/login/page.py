"""The HTML login page (`/login`) and logout (`/logout`), used by browsers and the pop-out window."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from backend.login import csrf, devices
from backend.login.credentials import LoginRefused, check_credentials
from backend.login.sessions import sign_in, sign_out
from backend.login.throttle import RateLimited

bp = Blueprint("login_page", __name__)


def safe_next(target: str | None) -> str:
    """Only a path on this site: `next` must never become an open redirect.

    Control characters are refused as well: browsers drop tabs and newlines from URLs, so
    "/<tab>/evil.example" would become "//evil.example" (and a newline breaks the header)."""
    if (target and target.startswith("/") and not target.startswith(("//", "/\\"))
            and target.isprintable()):
        return target
    return url_for("home.index")


@bp.get("/login")
def login() -> ResponseReturnValue:
    return render_template("login.html", next=safe_next(request.args.get("next")))


@bp.post("/login")
def login_submit() -> ResponseReturnValue:
    csrf.check()
    target = safe_next(request.form.get("next"))
    email = request.form.get("email", "")
    try:
        user = check_credentials(email, request.form.get("password", ""), devices.presented())
    except LoginRefused as refused:
        return render_template("login.html", next=target, email=email, error=str(refused)), 401
    except RateLimited as limited:
        page = render_template("login.html", next=target, email=email, error=str(limited))
        return page, 429, {"Retry-After": str(limited.retry_after)}
    sign_in(user)
    devices.hand_out(user)
    # 303: the browser follows with a GET and never re-posts the password (RFC 9110 §15.4.4).
    return redirect(target, code=303)


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    csrf.check()
    if current_user.is_authenticated:
        sign_out(current_user)
    return redirect(url_for("login_page.login"), code=303)
