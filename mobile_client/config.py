"""Where the app finds the brand's backend and LivePerson, and which flow it uses.

On the desktop both default to loopback. The Android emulator sees the host machine as
`10.0.2.2` (its own 127.0.0.1 is the emulator), so on Android the defaults point there.
"""

from __future__ import annotations

from dataclasses import dataclass

from kivy.utils import platform

from shared import contract

ACCOUNT = contract.STANDIN_ACCOUNT  # the stand-in's LivePerson account
BACKEND_PORT = 8000
LIVEPERSON_PORT = 8002
FLOWS = ("code", "implicit")


def default_host(current_platform: str = platform) -> str:
    return "10.0.2.2" if current_platform == "android" else "127.0.0.1"


def default_backend_url(current_platform: str = platform) -> str:
    return f"http://{default_host(current_platform)}:{BACKEND_PORT}"


def default_liveperson_url(current_platform: str = platform) -> str:
    return f"http://{default_host(current_platform)}:{LIVEPERSON_PORT}"


@dataclass
class ClientSettings:
    """`flow` is "code" (the app fetches a code, LivePerson redeems it with the backend) or
    "implicit" (the app fetches a signed id_token and hands it over); changeable in Settings."""

    backend_url: str
    liveperson_url: str
    flow: str = "code"
    pkce: bool = False  # the code flow with a code verifier (the LivePerson account requires it)
    account: str = ACCOUNT
    timeout: float = 15  # seconds for each network call

    def __post_init__(self) -> None:
        if self.flow not in FLOWS:
            raise ValueError(f"flow must be one of {', '.join(FLOWS)}, not {self.flow!r}")
        self.backend_url = self.backend_url.rstrip("/")
        self.liveperson_url = self.liveperson_url.rstrip("/")
