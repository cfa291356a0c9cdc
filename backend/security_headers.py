"""Response headers that protect the login and authorization pages (checklist items 5, 7)."""

from __future__ import annotations

from flask import Flask, Response, request

_ALWAYS = {
    # Clickjacking: no page of the identity provider may be framed.
    "X-Frame-Options": "DENY",
    # No form-action: browsers apply it to the redirects after a form POST as well, and the
    # login form must end at the client's redirect URI (LivePerson's pop-out window).
    "Content-Security-Policy": (
        "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    ),
    # The authorization URL carries LivePerson's state; it must not leak to other sites.
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def init_app(app: Flask) -> None:
    app.after_request(_add_headers)


def _add_headers(response: Response) -> Response:
    for name, value in _ALWAYS.items():
        response.headers.setdefault(name, value)
    # Session tokens, codes and user data must not be cached anywhere.
    if request.path.startswith("/api/"):
        response.headers["Cache-Control"] = "no-store"
    return response
