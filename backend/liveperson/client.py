"""What the LivePerson endpoints share: the LivePerson client record and the optional JSON body."""

from __future__ import annotations

from typing import Any

from flask import current_app, request

from backend import store
from backend.protocol.errors import OAuthError, invalid_request
from backend.protocol.storage import RegisteredClient


def liveperson_client() -> RegisteredClient:
    """The client named by BACKEND_LIVEPERSON_CLIENT_ID; a clear 503 when it is missing."""
    client_id = current_app.config["LIVEPERSON_CLIENT_ID"]
    client = store.current().find_client(client_id)
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
