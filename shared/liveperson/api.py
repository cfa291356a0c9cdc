"""The stand-in's own JSON API, beside LivePerson's (the IdP in `idp/`, messaging in
`messaging/`): the configuration the Web SDK tag and the pop-out window read, the exchanges
the inspector shows, and the encryption key the brand configures.

Cross-origin access is granted only to `/api/config`: the tag runs on the brand's pages, on
another origin (static/lptag.js; web_client's page reads it too). The records and the rest stay
same-origin, so a web page open in the developer's browser cannot read them; the records answer
only at the stand-in's own name (private_views.py). No cookies are
involved. Caching headers: shared/liveperson/headers.py.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from flask_cors import cross_origin

from shared import contract

bp = Blueprint("api", __name__, url_prefix="/api")

# Any page may read it, without credentials; the decorator answers preflights too.
_from_any_page = cross_origin(
    origins="*", send_wildcard=True, methods=["GET"], allow_headers=["Content-Type"]
)


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
        rfc_compliance=settings.rfc_compliance,
        authorization_endpoint=endpoints.authorization_endpoint if endpoints else None,
        client_id=settings.validation.client_id,
        window_url=request.host_url.rstrip("/") + contract.POPOUT_WINDOW_PATH,
    )


@bp.get("/exchanges")
def exchanges() -> ResponseReturnValue:
    """Every exchange with its checks: the inspector's data, for scripts and tests."""
    return jsonify(exchanges=[e.as_dict() for e in current_app.extensions["exchanges"].exchanges()])


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
