"""The brand's mobile app (Kivy): log in against the brand's backend, then chat through the stub
LivePerson Messaging SDK, which asks the app for a code or a JWT; or chat as a guest first, and
log in to carry the conversation over (step-up).

    app.py              BrandApp: services + navigation
    screens/            one module + one .kv layout per screen (login, home, conversation, settings)
    backend_api.py      the backend's app API (HTTP with timeouts, plain Python)
    session_store.py    the session token in the OS secret store (keyring)
    messaging.py        the Messaging SDK (shared.messaging_sdk) with the host-app side
    background.py       worker threads, results handed back with @mainthread
    config.py           URLs and flow; loopback on the desktop, 10.0.2.2 on Android

Run it: `python -m mobile_client --backend-url URL --liveperson-url URL [--flow code|implicit] [--pkce]`.
"""

from __future__ import annotations

from typing import Any

__all__ = ["BrandApp"]


def __getattr__(name: str) -> Any:
    # Imported on first use: `python -m mobile_client` must set Kivy's environment before Kivy loads.
    if name == "BrandApp":
        from mobile_client.app import BrandApp

        return BrandApp
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
