"""LivePerson's consumer messaging service ("Messaging Window API"): the WebSocket at
`/ws_api/account/{account}/messaging/consumer?v=3` (flask-sock), each socket served by
`connection.py`, each request type by its module in `requests/`; `hub.py` carries changes made
elsewhere (the agent's replies, closes, step-ups) to the sockets that subscribed to them."""

from __future__ import annotations

import contextlib
import socket

from flask import Flask, current_app, request
from flask_sock import Sock
from simple_websocket import ConnectionClosed, Server

from shared.liveperson.messaging import client_properties
from shared.liveperson.messaging.connection import Connection, serve
from shared.liveperson.messaging.envelope import FRAME_LIMIT

PATH = "/ws_api/account/<account>/messaging/consumer"
CLOSE_WAIT = 2  # seconds for the client's answering close frame
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
    try:
        serve(connection, token or None, settings.idle_timeout)
    finally:
        _finish(ws)


def _finish(ws: Server) -> None:
    """End the socket so that the client sees the close code. Under Werkzeug's server, which
    the stand-in runs on, flask-sock lets Werkzeug write an HTTP response once the view returns,
    behind the close frame: browsers then fail the connection (1006) and never see 4401 or 4407.
    So wait for the client's answering close frame (the socket's reader thread ends with it),
    then shut the socket, and what Werkzeug writes goes nowhere."""
    with contextlib.suppress(ConnectionClosed):
        ws.close()  # when the view returned without closing: a dropped client
    ws.thread.join(CLOSE_WAIT)
    with contextlib.suppress(OSError):
        ws.sock.shutdown(socket.SHUT_RDWR)
