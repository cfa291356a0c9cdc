"""The brand's backend: login, the OpenID Connect provider LivePerson authenticates against,
the endpoints the brand's apps call when the LivePerson SDK asks for a code or a JWT, and the
brand's API that LivePerson's bots call for the customer (Consumer Delegation)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from backend import branding, cli, config, cors, db, errors, home, openapi, request_guard, security_headers
from backend.brand_api import orders
from backend.keys import KeyRing
from backend.liveperson import code, jwt
from backend.login import api, csrf, page, sessions
from backend.oidc import authorize, consent, discovery, jwks, revoke, token, userinfo
from backend.protocol import nested_jwe
from backend.protocol.code_grant import Lifetimes


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    settings = config.load(Path(app.instance_path), test_config)
    app.config.from_mapping(settings)
    app.config.update(
        SESSION_COOKIE_NAME="backend_session",
        SESSION_COOKIE_SAMESITE="Lax",
        # Secure cookies whenever the issuer is https (i.e. outside loopback development).
        SESSION_COOKIE_SECURE=settings["ISSUER"].startswith("https://"),
        PERMANENT_SESSION_LIFETIME=settings["SESSION_LIFETIME"],
        # LivePerson's pop-out state is several KB; a megabyte leaves room and bounds abuse.
        MAX_CONTENT_LENGTH=1024 * 1024,
    )
    if settings["PROXY_HOPS"]:
        hops = settings["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    db.init_app(app)
    app.extensions["keyring"] = KeyRing(
        settings["KEY_ENCRYPTION_SECRET"] or settings["SECRET_KEY"],
        refresh_interval=settings["KEY_REFRESH_INTERVAL"],
        token_lifetime=settings["ID_TOKEN_LIFETIME"],
    )
    app.extensions["lifetimes"] = Lifetimes(
        code=settings["CODE_LIFETIME"],
        access_token=settings["ACCESS_TOKEN_LIFETIME"],
        id_token=settings["ID_TOKEN_LIFETIME"],
        refresh_token=settings["REFRESH_TOKEN_LIFETIME"],
    )
    app.extensions["liveperson_jwe"] = _liveperson_jwe(settings)

    sessions.init_app(app)
    csrf.init_app(app)
    security_headers.init_app(app)
    cors.init_app(app)
    errors.init_app(app)
    request_guard.init_app(app)
    branding.init_app(app)
    cli.init_app(app)

    for module in (home, page, api, discovery, jwks, authorize, consent, token, revoke, userinfo,
                   code, jwt, orders, openapi):
        app.register_blueprint(module.bp)
    # Browsers ask every site for /favicon.ico: the SVG among the static files, served as they are.
    app.add_url_rule("/favicon.ico", endpoint="static", defaults={"filename": "favicon.svg"})
    return app


def _liveperson_jwe(settings: dict[str, Any]) -> nested_jwe.Recipient | None:
    """Parse LivePerson's encryption key once, at start-up; a bad key stops the start. The
    LivePerson client's id_tokens are then encrypted for it, whichever way they leave."""
    if not settings["LIVEPERSON_JWE_PUBLIC_KEY"]:
        return None
    if settings["LIVEPERSON_JWE_ENC"] not in nested_jwe.ENCRYPTIONS:
        raise SystemExit(f"BACKEND_LIVEPERSON_JWE_ENC must be one of {nested_jwe.ENCRYPTIONS}.")
    try:
        key = nested_jwe.load_public_key(
            settings["LIVEPERSON_JWE_PUBLIC_KEY"], settings["LIVEPERSON_JWE_KID"]
        )
    except ValueError as error:
        raise SystemExit(f"BACKEND_LIVEPERSON_JWE_PUBLIC_KEY is not an RSA public key: {error}") from None
    return nested_jwe.Recipient(settings["LIVEPERSON_CLIENT_ID"], key, settings["LIVEPERSON_JWE_ENC"])
