"""CSRF protection for the HTML forms (login, logout), with Flask-WTF: each form carries a
signed copy of a random token kept in the cookie session, and the view refuses the POST
unless the two match.

The token is cleared with the session at login and logout (`sessions.sign_in`, `sign_out`),
so it never outlives them; Flask-WTF also expires it after an hour (`WTF_CSRF_TIME_LIMIT`).

Checked per form rather than with `CSRFProtect` for the whole app: every other POST here is
cross-site by design (LivePerson's token and userinfo calls, the pop-out window's authorization
POST) or JSON that CORS protects (`/api/*`), so a global guard would need six of the seven
blueprints that take a POST exempted, and its HTTPS Referer check would refuse every login,
since these pages send `Referrer-Policy: no-referrer`.
"""

from __future__ import annotations

from flask import Flask, abort, request
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf

EXPIRED = "The form has expired or did not come from this site. Reload the page and try again."


def init_app(app: Flask) -> None:
    # Templates write the hidden field themselves: <input name="csrf_token" value="{{ csrf_token() }}">.
    app.jinja_env.globals["csrf_token"] = generate_csrf


def check() -> None:
    """Refuse the request (400, with what to do) unless its form carries this session's token."""
    # The form's own fields are read by the view; this form has only the token. Form data only:
    # left to itself, FlaskForm would also read a JSON body, and fail with a 500 on `"text"`.
    if not FlaskForm(formdata=request.form).validate():
        abort(400, EXPIRED)
