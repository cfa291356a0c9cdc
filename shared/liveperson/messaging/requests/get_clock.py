"""`GetClock`: the server's time; also the keep-alive of clients that cannot send WebSocket
pings ("Protocol Overview": send something every 60 seconds). LivePerson shows no response;
the stand-in answers `{"currentTime": <milliseconds since the epoch>}`."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from shared.liveperson.messaging import envelope

if TYPE_CHECKING:
    from shared.liveperson.messaging.connection import Connection

TYPE = "GetClock"


def handle(connection: Connection, request: envelope.Request) -> dict[str, Any]:
    return envelope.response(request.id, "GetClockResponse", {"currentTime": int(time.time() * 1000)})
