"""The host app, as far as the SDK tests need one: it logs the demo customer in at the brand's
backend, fetches codes and JWTs there, and records what the SDK tells it."""

from __future__ import annotations

import threading
from collections.abc import Callable

import requests

from shared.messaging_sdk import AuthenticationError, AuthenticationParams, Conversation, MessagingListener
from tests.support.servers import LiveServer

ACCOUNT = "12345678"
TIMEOUT = 15


class DemoApp:
    def __init__(self, backend: LiveServer) -> None:
        self.backend = backend
        response = requests.post(
            f"{backend.url}/api/session",
            json={"email": "demo@example.com", "password": "demo-password"},
            timeout=TIMEOUT,
        )
        assert response.status_code == 200, response.text
        self.session = {"Authorization": f"Bearer {response.json()['session_token']}"}

    def customer_id(self) -> str:
        response = requests.get(f"{self.backend.url}/api/me", headers=self.session, timeout=TIMEOUT)
        assert response.status_code == 200, response.text
        return response.json()["sub"]

    def code(self, **body: str) -> dict[str, str]:
        response = requests.post(
            f"{self.backend.url}/api/liveperson/code", json=body, headers=self.session, timeout=TIMEOUT
        )
        assert response.status_code == 200, response.text
        return response.json()

    def code_params(self) -> AuthenticationParams:
        issued = self.code()
        return AuthenticationParams.code(issued["code"], issued["redirect_uri"])

    def jwt_params(self) -> AuthenticationParams:
        response = requests.post(
            f"{self.backend.url}/api/liveperson/jwt", headers=self.session, timeout=TIMEOUT
        )
        assert response.status_code == 200, response.text
        return AuthenticationParams.jwt(response.json()["id_token"])


class Recorder(MessagingListener):
    """Keeps every callback, in order, with the thread it arrived on."""

    def __init__(self) -> None:
        self.events: list[tuple[str, object]] = []
        self.threads: list[threading.Thread] = []
        self.token_expired = threading.Event()

    def on_conversation_started(self, conversation: Conversation) -> None:
        self._record("started", conversation)

    def on_token_expired(self) -> None:
        self._record("token_expired", None)
        self.token_expired.set()

    def on_authentication_failed(self, error: AuthenticationError) -> None:
        self._record("failed", error)

    def _record(self, name: str, value: object) -> None:
        self.events.append((name, value))
        self.threads.append(threading.current_thread())

    def named(self, name: str) -> list[object]:
        return [value for event, value in self.events if event == name]

    def failure(self) -> AuthenticationError:
        assert [event for event, _ in self.events] == ["failed"], self.events
        error = self.events[0][1]
        assert isinstance(error, AuthenticationError)
        return error


class ManualScheduler:
    """A `schedule(delay, fn)` hook that runs nothing by itself: the test runs what is due."""

    def __init__(self) -> None:
        self.pending: list[tuple[float, Callable[[], None]]] = []

    def __call__(self, delay: float, fn: Callable[[], None]) -> None:
        self.pending.append((delay, fn))

    def run_all(self) -> None:
        pending, self.pending = self.pending, []
        for _, fn in pending:
            fn()


def conversations(standin: LiveServer) -> list[dict[str, object]]:
    response = requests.get(f"{standin.url}/api/conversations", timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    return response.json()["conversations"]
