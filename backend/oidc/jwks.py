"""`GET /oauth2/v3/certs`: the JSON Web Key Set (RFC 7517 §5) LivePerson verifies id_tokens with."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

from backend.db import get_db
from backend.oidc.discovery import PATHS

bp = Blueprint("jwks", __name__)


@bp.get(PATHS["jwks_uri"])
def certs() -> ResponseReturnValue:
    response = jsonify(current_app.extensions["keyring"].jwks(get_db()))
    # Short enough that a rotated key reaches verifiers before it signs anything.
    response.cache_control.public = True
    response.cache_control.max_age = current_app.config["KEY_REFRESH_INTERVAL"]
    return response
