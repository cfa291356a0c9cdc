"""`.ams.headers.ClientProperties` ("Messaging Window API — API Reference — Client Properties"):
what the client runs on, in `InitConnection` or as the handshake URL's query parameters. The
stand-in reads one thing from it: which channel the agent sees the conversation come from."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

TYPE = ".ams.headers.ClientProperties"


def channel(properties: Mapping[str, Any]) -> str:
    """ "mobile" for LivePerson's mobile SDKs and mobile devices, else "web"."""
    if properties.get("integration") == "MOBILE_SDK" or properties.get("deviceFamily") in (
        "MOBILE",
        "TABLET",
    ):
        return "mobile"
    return "web"
