"""The agent's side (`/agent`, `/api/agent/…`) and the records (`/inspector`, `/api/exchanges`)
answer only requests addressed to the stand-in by its own name: a loopback address, or the host
of `--public-url`.

They send no CORS header, so no page of another origin can read them; but an origin is a name.
A page on attacker.example whose name is then made to resolve to 127.0.0.1 (DNS rebinding) is
the same origin as the server it reaches, and could read the conversations and the brand's
exchanges. Its requests still say `Host: attacker.example`, which is how they are told apart.
The IdP, the messaging socket, the tag and the window answer any name: an Android emulator
reaches the host as 10.0.2.2, and none of them gives anything away to a page.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, jsonify, request
from flask.typing import ResponseReturnValue

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
PRIVATE_BLUEPRINTS = frozenset({"agent", "inspector"})
PRIVATE_ENDPOINTS = frozenset({"api.exchanges"})


def init_app(app: Flask) -> None:
    app.before_request(_addressed_to_the_stand_in)


def _addressed_to_the_stand_in() -> ResponseReturnValue | None:
    if request.endpoint not in PRIVATE_ENDPOINTS and not PRIVATE_BLUEPRINTS & set(request.blueprints):
        return None
    own = LOOPBACK | {urlsplit(current_app.extensions["standin"].public_url).hostname}
    named = urlsplit("//" + request.host)  # hostname: lower case, IPv6 without its brackets
    if named.hostname in own and named.username is None:
        return None
    # 421 Misdirected Request (RFC 9110 §15.5.20): this server does not answer for that name.
    message = (f"The stand-in answers this page only at its own address, not at {request.host!r}: "
               "open it at 127.0.0.1, or start the stand-in with --public-url naming this host.")
    if request.path.startswith("/api/"):
        return jsonify(error="misdirected", message=message), 421
    return message, 421, {"Content-Type": "text/plain; charset=utf-8"}
