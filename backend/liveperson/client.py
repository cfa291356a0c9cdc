"""What the LivePerson endpoints share: the LivePerson client record, the optional JSON body, and
the id_token as LivePerson receives it."""

from __future__ import annotations

from typing import Any

from flask import current_app, request

from backend.db import get_db
from backend.models import Client
from backend.protocol import nested_jwe
from backend.protocol.errors import OAuthError, invalid_request


def liveperson_client() -> Client:
    """The client named by BACKEND_LIVEPERSON_CLIENT_ID; a clear 503 when it is missing."""
    client_id = current_app.config["LIVEPERSON_CLIENT_ID"]
    client = get_db().get(Client, client_id)
    if client is None:
        raise OAuthError(
            "server_error",
            f"The LivePerson client {client_id!r} is not registered: run "
            "`flask --app backend create-client` or set BACKEND_LIVEPERSON_CLIENT_ID.",
            status=503,
        )
    return client


def request_body() -> dict[str, Any]:
    """The JSON object sent, or {} for an empty body; anything else is invalid_request."""
    if not request.get_data():
        return {}
    body = request.get_json(silent=True) if request.is_json else None
    if not isinstance(body, dict) or not all(isinstance(v, str) for v in body.values()):
        raise invalid_request("The body must be a JSON object of strings.")
    return body


def as_liveperson_receives_it(signed_id_token: str, client_id: str) -> str:
    """With LivePerson's encryption key configured (BACKEND_LIVEPERSON_JWE_PUBLIC_KEY), an
    id_token for the LivePerson client is wrapped in a nested JWE, whichever way it leaves:
    to the app (`/api/liveperson/jwt`) or to the pop-out window (the authorization endpoint)."""
    key = current_app.extensions["liveperson_jwe_key"]
    if key is None or client_id != current_app.config["LIVEPERSON_CLIENT_ID"]:
        return signed_id_token
    return nested_jwe.encrypt(signed_id_token, key, current_app.config["LIVEPERSON_JWE_ENC"])
