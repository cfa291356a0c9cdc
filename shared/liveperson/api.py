"""The stand-in's JSON API: what the Web SDK tag, the pop-out window and the Messaging SDK call.

`POST /api/account/<account>/authenticate` is where the SDK hands LivePerson the code or JWT
it got from the brand's app.

Cross-origin access is granted only where LivePerson's tag needs it: it runs on the brand's
pages, on another origin, and reads `/api/config` and posts to the authenticate endpoint
(static/lptag.js; web_client's page reads `/api/config` too). The records (`/api/exchanges`,
`/api/conversations`) and the rest stay same-origin, so a web page open in the developer's
browser cannot read them. No cookies are involved. Caching headers: shared/liveperson/headers.py.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from flask_cors import cross_origin

from shared import contract
from shared.liveperson import handover
from shared.validation.errors import INPUT_VALIDATION

bp = Blueprint("api", __name__, url_prefix="/api")

# Any page may call these two, without credentials; the decorator answers their preflights too.
_from_any_page = cross_origin(origins="*", send_wildcard=True, methods=["GET", "POST"],
                              allow_headers=["Content-Type"])


@bp.get("/config")
@_from_any_page
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
        window_url=request.host_url.rstrip("/") + contract.POPOUT_WINDOW_PATH,
    )


@bp.post("/account/<account>/authenticate")
@_from_any_page
def authenticate(account: str) -> ResponseReturnValue:
    settings = current_app.extensions["standin"]
    if account != settings.account:
        return _error(
            404, "Unknown account", f"This stand-in serves account {settings.account}, not {account!r}."
        )
    body = request.stream.read(handover.BODY_LIMIT + 1)
    if len(body) > handover.BODY_LIMIT:
        return _error(
            413,
            INPUT_VALIDATION.name,
            f"The body is larger than {handover.BODY_LIMIT} bytes.",
            INPUT_VALIDATION.code,
        )
    try:
        given = handover.read(body)
    except handover.BadHandover as error:
        return _error(400, INPUT_VALIDATION.name, str(error), INPUT_VALIDATION.code)
    authenticator = current_app.extensions["authenticator"]
    if given.jwt:
        exchange = authenticator.with_jwt(given.jwt, channel=given.channel)
    else:
        assert given.code is not None
        exchange = authenticator.with_code(
            given.code,
            given.redirect_uri or settings.redirect_uri,
            given.code_verifier,
            channel=given.channel,
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
