"""LivePerson's consumer messaging service ("Messaging Window API"): the WebSocket at
`/ws_api/account/{account}/messaging/consumer?v=3` (flask-sock), each socket served by
`connection.py`, each request type by its module in `requests/`; `hub.py` carries changes made
elsewhere (the agent's replies, closes, step-ups) to the sockets that subscribed to them."""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_sock import Sock
from simple_websocket import Server

from shared.liveperson.messaging import client_properties
from shared.liveperson.messaging.connection import Connection, serve
from shared.liveperson.messaging.envelope import FRAME_LIMIT

PATH = "/ws_api/account/<account>/messaging/consumer"
UNKNOWN_ACCOUNT = 4404  # the stand-in's own code: no such account (a 4xxx code carries the reason)

sock = Sock()


def init_app(app: Flask) -> None:
    # simple-websocket's options: frames bounded; pings left to the client (GetClock or ping).
    app.config["SOCK_SERVER_OPTIONS"] = {"max_message_size": FRAME_LIMIT, "ping_interval": None}
    sock.init_app(app)


@sock.route(PATH)
def consumer(ws: Server, account: str) -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    settings = app.extensions["standin"]
    connection = Connection(app, ws, channel=client_properties.channel(request.args))
    if account != settings.account:
        connection.close(
            UNKNOWN_ACCOUNT, f"This stand-in serves account {settings.account}, not {account!r}."
        )
        return
    header = request.headers.get("Authorization", "")
    token = header[4:].strip() if header[:4].lower() == "jwt " else None
    serve(connection, token or None, settings.idle_timeout)
