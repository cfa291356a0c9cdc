"""`InitConnection`: the consumer token for clients that cannot set the handshake's headers
("Messaging Window API — Tutorials — Avoid Websocket Headers", "API Reference — Init
Connection"): `headers` holds `.ams.headers.ConsumerAuthentication` (`jwt`, at most 2,048
characters) and optionally `.ams.headers.ClientProperties`. Answered with the string response;
a token that is not valid is answered 401 and the socket closed with 4401 or 4407."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared.liveperson.idp.consumer_token import TokenRefused
from shared.liveperson.messaging import client_properties, envelope

if TYPE_CHECKING:
    from shared.liveperson.messaging.connection import Connection

TYPE = "InitConnection"
AUTHENTICATION = ".ams.headers.ConsumerAuthentication"
MAX_JWT = 2048


def handle(connection: Connection, request: envelope.Request) -> dict[str, Any]:
    if connection.identity is not None:
        raise envelope.Refused(400, "This socket is already authenticated.")
    by_type = {header.get("type"): header for header in request.headers if isinstance(header, dict)}
    token = by_type.get(AUTHENTICATION, {}).get("jwt")
    if not isinstance(token, str) or not 0 < len(token) <= MAX_JWT:
        raise envelope.Refused(
            400,
            f"headers must hold {AUTHENTICATION} with the consumer token in jwt "
            f"(at most {MAX_JWT} characters).",
        )
    try:
        connection.authenticate(token)
    except TokenRefused as refused:
        connection.pending_close = connection.close_code_for(refused, token), refused.message
        raise envelope.Refused(401, refused.message) from None
    connection.channel = client_properties.channel(by_type.get(client_properties.TYPE, {}))
    return envelope.string_response(request.id, 200)
