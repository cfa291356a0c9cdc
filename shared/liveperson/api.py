"""The stand-in's JSON API: what the Web SDK tag, the pop-out window and the Messaging SDK call.

`POST /api/account/<account>/authenticate` is where the SDK hands LivePerson the code or JWT
it got from the brand's app. Any origin may call the API (the tag runs on the brand's pages),
and no cookies are involved.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from shared.validation.errors import INPUT_VALIDATION

bp = Blueprint("api", __name__, url_prefix="/api")

CHANNELS = ("web", "popout", "mobile")


@bp.after_request
def _cross_origin(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = "GET, POST"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/config")
def config() -> ResponseReturnValue:
    """What the tag and the window need to ask the brand for authentication."""
    settings = current_app.extensions["standin"]
    authenticator = current_app.extensions["authenticator"]
    endpoints = authenticator.endpoints()
    return jsonify(
        account=settings.account,
        flow=settings.flow,
        pkce=settings.validation.pkce,
        js_method=settings.js_method,
        js_context=settings.js_context,
        redirect_uri=settings.redirect_uri,
        authorization_endpoint=endpoints.authorization_endpoint if endpoints else None,
        client_id=settings.validation.client_id,
        window_url=request.host_url + "le_unified_window/index.html",
    )


@bp.route("/account/<account>/authenticate", methods=["POST", "OPTIONS"])
def authenticate(account: str) -> ResponseReturnValue:
    if request.method == "OPTIONS":  # CORS preflight for the JSON body
        return "", 204
    settings = current_app.extensions["standin"]
    if account != settings.account:
        return _error(
            404, "Unknown account", f"This stand-in serves account {settings.account}, not {account}."
        )
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _error(
            400, INPUT_VALIDATION.name, 'Send JSON {"authCode", "redirect_uri"} or {"jwt"}.', "9012"
        )
    channel = body.get("channel", "web")
    if channel not in CHANNELS:
        return _error(400, INPUT_VALIDATION.name, f"channel must be one of {', '.join(CHANNELS)}.", "9012")
    code, jwt = body.get("authCode"), body.get("jwt")
    if bool(code) == bool(jwt) or not isinstance(code or jwt, str):
        return _error(400, INPUT_VALIDATION.name, "Send either a non-empty authCode or a jwt.", "9012")
    authenticator = current_app.extensions["authenticator"]
    if jwt:
        exchange = authenticator.with_jwt(jwt, channel=channel)
    else:
        verifier = body.get("code_verifier")
        exchange = authenticator.with_code(
            code,
            body.get("redirect_uri") or settings.redirect_uri,
            verifier if isinstance(verifier, str) and verifier else None,
            channel=channel,
        )
    conversation = current_app.extensions["conversations"].record(exchange)
    if conversation is None:
        return jsonify(exchange.failure), 401
    return jsonify(conversation_id=conversation.conversation_id, **_public(exchange.result))


def _public(result: dict[str, Any] | None) -> dict[str, Any]:
    assert result is not None
    return {key: result[key] for key in ("sub", "claims", "sdes", "flow", "expires_at")}


@bp.get("/conversations")
def conversations() -> ResponseReturnValue:
    return jsonify(conversations=current_app.extensions["conversations"].as_dicts())


@bp.get("/exchanges")
def exchanges() -> ResponseReturnValue:
    """Every exchange with its checks: the inspector's data, for scripts and tests."""
    return jsonify(exchanges=[e.as_dict() for e in current_app.extensions["conversations"].exchanges()])


@bp.get("/jwe-public-key")
def jwe_public_key() -> ResponseReturnValue:
    """LivePerson's encryption key, as the brand configures it (BACKEND_LIVEPERSON_JWE_*)."""
    keys = current_app.extensions["encryption"]
    return jsonify(
        kid=keys.kid,
        public_key=keys.public_spki_base64(),
        pem=keys.public_pem(),
        alg="RSA-OAEP-256",
        enc=["A256GCM", "A128CBC-HS256"],
    )


def _error(status: int, name: str, message: str, code: str | None = None) -> ResponseReturnValue:
    return jsonify(error=name, code=code, message=message), status
