"""What the tests check on the other side: the backend's view of a session, the stand-in's
conversations (through its agent API) and authentication exchanges."""

from __future__ import annotations

from typing import Any

import requests

from mobile_client.session_store import DEVICE_ENTRY, ENTRY, SERVICE
from tests.support.consumer import agent_get
from tests.support.servers import LiveServer

TIMEOUT = 15
STORED = (SERVICE, ENTRY)  # the secret store entry of the session token
DEVICE = (SERVICE, DEVICE_ENTRY)  # and of the device token


def customer_id(backend: LiveServer, email: str = "demo@example.com") -> str:
    response = requests.post(
        f"{backend.url}/api/session", json={"email": email, "password": "demo-password"}, timeout=TIMEOUT
    )
    assert response.status_code == 200, response.text
    return response.json()["user"]["sub"]


def session_status(backend: LiveServer, token: str) -> int:
    response = requests.get(
        f"{backend.url}/api/me", headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT
    )
    return response.status_code


def conversation(standin: LiveServer, conversation_id: str) -> dict[str, Any]:
    """The conversation as the stand-in's agent sees it, with its messages."""
    return agent_get(standin, f"/{conversation_id}")


def exchanges(standin: LiveServer) -> list[dict[str, Any]]:
    """Every authentication attempt the stand-in saw, with its checks."""
    response = requests.get(f"{standin.url}/api/exchanges", timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    return response.json()["exchanges"]
