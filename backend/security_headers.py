"""The backend's protective response headers, in one place: no framing, no referrers, no
content sniffing, and `no-store` wherever an answer must not be kept."""

from __future__ import annotations

from flask import Flask, Response, request

from backend.oidc.discovery import PATHS

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


# Never cached (`Cache-Control: no-store`, and `Pragma: no-cache` for HTTP/1.0 caches, RFC 6749
# §5.1): session tokens, codes, tokens and user data, in answers and in the authorization
# endpoint's redirects that carry a code or an id_token, and the CSRF tokens of the login form
# and the consent page.
_NO_STORE_PATHS = ("/api/", PATHS["token_endpoint"], PATHS["userinfo_endpoint"],
                   PATHS["revocation_endpoint"], PATHS["authorization_endpoint"], "/login",
                   "/consent", "/access/")


def init_app(app: Flask) -> None:
    app.after_request(_add_headers)


def _add_headers(response: Response) -> Response:
    for name, value in _ALWAYS.items():
        response.headers.setdefault(name, value)
    # Errors, on any path: a cache may keep a 404 or a 405 it was given no lifetime for (RFC 9110
    # §15.1, RFC 9111 §4.2.2), and would go on serving it after the cause is fixed.
    if response.status_code >= 400 or request.path.startswith(_NO_STORE_PATHS):
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    return response
