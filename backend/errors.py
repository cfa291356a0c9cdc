"""Every error in the protocol's own format: JSON on the machine endpoints, a page for people.

Protocol errors (`OAuthError`, raised by `backend/protocol/` and the views) take one path,
`_oauth_error`: RFC 6749 §5.2 JSON, with the endpoint's own format where it has one (the
authorization endpoint's and the consent page's redirect or error page, §4.1.2.1; the bearer
challenge of userinfo and the brand's API, RFC 6750 §3).
Never a stack trace: unexpected exceptions are logged and answered with a generic message.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException, InternalServerError

from backend.brand_api import orders
from backend.keys import KeyStoreError
from backend.oidc import authorize, consent, userinfo
from backend.oidc.discovery import PATHS
from backend.protocol import access_token
from backend.protocol.errors import OAuthError

# Endpoints whose clients are OAuth libraries: every 4xx is an RFC 6749 §5.2 invalid_request;
# elsewhere a 400 is too, and other statuses are named after their HTTP reason.
_OAUTH_PATHS = (PATHS["token_endpoint"], PATHS["userinfo_endpoint"], PATHS["revocation_endpoint"])
_JSON_PATHS = ("/api/", PATHS["jwks_uri"], "/.well-known/", *_OAUTH_PATHS)


def _bearer_challenge(realm: str) -> Callable[[OAuthError], ResponseReturnValue]:
    """RFC 6750 §3: §5.2 JSON with the `WWW-Authenticate` challenge of the resource `realm`."""

    def respond(error: OAuthError) -> ResponseReturnValue:
        challenge = {"WWW-Authenticate": access_token.challenge(realm, error)}
        return jsonify(error.as_dict()), error.status, {**error.headers, **challenge}

    return respond


# Endpoints (by blueprint) whose errors are not §5.2 JSON.
_FORMATS: dict[str, Callable[[OAuthError], ResponseReturnValue]] = {
    authorize.bp.name: authorize.error_response,
    consent.bp.name: authorize.error_response,
    userinfo.bp.name: _bearer_challenge("userinfo"),
    orders.bp.name: _bearer_challenge("api"),
}


def init_app(app: Flask) -> None:
    app.register_error_handler(OAuthError, _oauth_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(KeyStoreError, _key_store_error)
    app.register_error_handler(Exception, _unexpected)


def _oauth_error(error: OAuthError) -> ResponseReturnValue:
    endpoint_format = _FORMATS.get(request.blueprint or "")
    if endpoint_format is not None:
        return endpoint_format(error)
    return jsonify(error.as_dict()), error.status, error.headers


def _http_error(error: HTTPException) -> ResponseReturnValue:
    status = error.code or 500
    headers = {}
    if status == 405 and error.valid_methods:  # type: ignore[attr-defined]
        headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]  # RFC 9110 §15.5.6
    if not request.path.startswith(_JSON_PATHS):
        page = render_template("error.html", title=error.name, message=error.description)
        return page, status, headers
    if status == 400 or (request.path.startswith(_OAUTH_PATHS) and status < 500):
        name = "invalid_request"
    else:
        name = error.name.lower().replace(" ", "_")
    return jsonify(error=name, error_description=error.description), status, headers


def _key_store_error(error: KeyStoreError) -> ResponseReturnValue:
    # A setup problem the operator can fix; the message says how.
    return _http_error(InternalServerError(description=str(error)))


def _unexpected(error: Exception) -> ResponseReturnValue:
    # HTTPException never arrives here: Flask picks the handler of the closest class.
    current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
    return _http_error(InternalServerError())

