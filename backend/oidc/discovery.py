"""`GET /.well-known/openid-configuration`: OpenID Connect Discovery 1.0 §3 and §4, with the
revocation endpoint of RFC 8414 §2.

Every URL is built from BACKEND_ISSUER, never from the request's Host header (§4.3: the
issuer must equal the URL the document was fetched under).
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

from backend.protocol.authorization_request import PROMPTS, RESPONSE_MODES, RESPONSE_TYPES
from backend.protocol.claims import CLAIMS_SUPPORTED, SUPPORTED_SCOPES
from backend.protocol.client_auth import METHODS
from backend.protocol.delegation import API_SCOPES

bp = Blueprint("discovery", __name__)

# Where each endpoint is served: the blueprints route these, and the discovery document lists them.
PATHS = {
    "authorization_endpoint": "/oauth2/v3/authorize",
    "token_endpoint": "/oauth2/v3/token",
    "userinfo_endpoint": "/oauth2/v3/userinfo",
    "jwks_uri": "/oauth2/v3/certs",
    "revocation_endpoint": "/oauth2/v3/revoke",
}


def endpoint_urls(issuer: str) -> dict[str, str]:
    return {name: issuer + path for name, path in PATHS.items()}


@bp.get("/.well-known/openid-configuration")
def openid_configuration() -> ResponseReturnValue:
    issuer = current_app.config["ISSUER"]
    document = {
        "issuer": issuer,
        **endpoint_urls(issuer),
        "response_types_supported": list(RESPONSE_TYPES),
        "response_modes_supported": list(RESPONSE_MODES),
        "grant_types_supported": ["authorization_code", "implicit", "refresh_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": [*SUPPORTED_SCOPES, *API_SCOPES],
        "claims_supported": list(CLAIMS_SUPPORTED),
        "token_endpoint_auth_methods_supported": list(METHODS),
        "revocation_endpoint_auth_methods_supported": list(METHODS),
        # `plain` is allowed only to clients registered for it; S256 is what everyone should use.
        "code_challenge_methods_supported": ["S256"],
        "prompt_values_supported": list(PROMPTS),
        "claims_parameter_supported": False,
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
    }
    response = jsonify(document)
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response
