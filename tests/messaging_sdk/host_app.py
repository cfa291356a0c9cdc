"""The host app, as far as the SDK tests need one: it logs the demo customer in at the brand's
backend, fetches codes and JWTs there, and records what the SDK tells it, on which thread."""

from __future__ import annotations

import threading
import time
from typing import Any

import requests

from shared.messaging_sdk import (
    AuthenticationError,
    AuthenticationParams,
    ConnectionState,
    Conversation,
    Message,
    MessagingListener,
    PkceParams,
)
from tests.support.consumer import agent_get, agent_post
from tests.support.servers import LiveServer

ACCOUNT = "12345678"
TIMEOUT = 15
WAIT = 30  # seconds a step may take on a slow machine; an upper bound, never a duration


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

    def code_params(self, pkce: PkceParams | None = None, **options: Any) -> AuthenticationParams:
        """A fresh code; with `pkce`, authorized with its challenge and carrying its verifier."""
        if pkce is None:
            issued = self.code()
            return AuthenticationParams.code(issued["code"], issued["redirect_uri"], **options)
        issued = self.code(
            code_challenge=pkce.code_challenge, code_challenge_method=pkce.code_challenge_method
        )
        return AuthenticationParams.code(
            issued["code"], issued["redirect_uri"], pkce.code_verifier, **options
        )

    def jwt_params(self, **options: Any) -> AuthenticationParams:
        response = requests.post(
            f"{self.backend.url}/api/liveperson/jwt", headers=self.session, timeout=TIMEOUT
        )
        assert response.status_code == 200, response.text
        return AuthenticationParams.jwt(response.json()["id_token"], **options)


class Recorder(MessagingListener):
    """Keeps every callback, in order, with the thread it arrived on; tests wait for them."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []
        self.threads: list[threading.Thread] = []
        self._changed = threading.Condition()

    def on_connection_state_changed(self, state: ConnectionState) -> None:
        self._record("state", state)

    def on_conversation_started(self, conversation: Conversation) -> None:
        self._record("started", conversation)

    def on_conversation_resolved(self, conversation: Conversation) -> None:
        self._record("resolved", conversation)

    def on_message_received(self, message: Message) -> None:
        self._record("message", message)

    def on_token_expired(self) -> None:
        self._record("token_expired", None)

    def on_unauthenticated_user_expired(self) -> None:
        self._record("unauthenticated_expired", None)

    def on_authentication_failed(self, error: AuthenticationError) -> None:
        self._record("failed", error)

    def _record(self, name: str, value: Any) -> None:
        with self._changed:
            self.events.append((name, value))
            self.threads.append(threading.current_thread())
            self._changed.notify_all()

    def names(self) -> list[str]:
        with self._changed:
            return [name for name, _ in self.events]

    def named(self, name: str) -> list[Any]:
        with self._changed:
            return [value for event, value in self.events if event == name]

    def thread_of(self, name: str) -> threading.Thread:
        with self._changed:
            return next(
                thread for (event, _), thread in zip(self.events, self.threads, strict=True) if event == name
            )

    def wait_for(self, name: str, count: int = 1, wait: float = WAIT) -> Any:
        """The `count`-th value of callback `name`, once it arrived."""
        with self._changed:  # reentrant: `named` takes it again
            arrived = self._changed.wait_for(lambda: len(self.named(name)) >= count, wait)
            assert arrived, f"{count} x {name} did not arrive within {wait} s: {self.events}"
            return self.named(name)[count - 1]

    def wait_for_state(self, state: ConnectionState, count: int = 1, wait: float = WAIT) -> None:
        """Until the connection has been in `state` `count` times."""
        with self._changed:
            arrived = self._changed.wait_for(lambda: self.named("state").count(state) >= count, wait)
            assert arrived, f"{count} x {state} did not arrive within {wait} s: {self.events}"

    def failure(self) -> AuthenticationError:
        """The one failure of a call that failed."""
        failures = self.named("failed")
        assert len(failures) == 1, self.events
        return failures[0]

    def quiet_for(self, seconds: float) -> list[str]:
        """The callbacks that arrive within `seconds` (to show that nothing more happens)."""
        before = len(self.names())
        time.sleep(seconds)
        return self.names()[before:]


def close_open_conversations(standin: LiveServer) -> None:
    """As the agent, close what earlier tests left open: the demo customer starts afresh."""
    for conversation in agent_get(standin)["conversations"]:
        if conversation["state"] == "OPEN":
            agent_post(standin, f"/{conversation['conversationId']}/close")
