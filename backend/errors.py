"""Every error in the protocol's own format: JSON on the machine endpoints, a page for people.

Never a stack trace: unexpected exceptions are logged and answered with a generic message.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException, InternalServerError

from backend.keys import KeyStoreError

# Endpoints whose clients are OAuth libraries: every 4xx is an RFC 6749 §5.2 invalid_request.
_OAUTH_PATHS = ("/oauth2/v3/token", "/oauth2/v3/userinfo")
_JSON_PATHS = ("/api/", "/oauth2/v3/certs", "/.well-known/", *_OAUTH_PATHS)


def init_app(app: Flask) -> None:
    app.before_request(_refuse_nul)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(KeyStoreError, _key_store_error)
    app.register_error_handler(Exception, _unexpected)


def _refuse_nul() -> None:
    """No parameter of these protocols can hold a NUL character, and PostgreSQL text cannot
    store one: refused up front, as a bad request, rather than failing in the database."""
    request.get_data()  # cached first: endpoints that read the raw body still find it
    values: list[Any] = [*request.args.values(), *request.form.values()]
    if request.is_json:
        values.append(request.get_json(silent=True))
    if any(_has_nul(value) for value in values):
        abort(400, description="Request parameters must not contain NUL characters.")


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def _http_error(error: HTTPException) -> ResponseReturnValue:
    status = error.code or 500
    if not request.path.startswith(_JSON_PATHS):
        page = render_template("error.html", title=error.name, message=error.description)
        return page, status
    if request.path.startswith(_OAUTH_PATHS) and status < 500:
        name = "invalid_request"
    else:
        name = error.name.lower().replace(" ", "_")
    headers = {"Cache-Control": "no-store"}
    if status == 405 and error.valid_methods:  # type: ignore[attr-defined]
        headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
    return jsonify(error=name, error_description=error.description), status, headers


def _key_store_error(error: KeyStoreError) -> ResponseReturnValue:
    # A setup problem the operator can fix; the message says how.
    return _http_error(InternalServerError(description=str(error)))


def _unexpected(error: Exception) -> ResponseReturnValue:
    if isinstance(error, HTTPException):
        return _http_error(error)
    current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
    return _http_error(InternalServerError())

