"""CSRF protection for the HTML forms: a random token bound to the cookie session.

The token is cleared with the session at login and logout, so it never outlives them.
"""

from __future__ import annotations

import hmac
import secrets

from flask import abort, session


def token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def check(submitted: str | None) -> None:
    expected = session.get("csrf")
    if not expected or not submitted or not hmac.compare_digest(expected, submitted):
        abort(400, "The form has expired or did not come from this site. Reload the page and try again.")
