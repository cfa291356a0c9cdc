"""One consumer's socket: who it is, what it subscribed to, and the loop that serves it.

Authentication ("Messaging Window API — Getting Started", "Tutorials — Avoid Websocket
Headers"): the consumer token comes in the handshake's `Authorization: jwt <token>`, or in an
`InitConnection` request within `INIT_SECONDS`; until then other requests are answered 401.

Closing ("Protocol Overview"): when the token expires the socket closes with 4401 (an
authenticated consumer: the SDK asks the brand's app for a fresh code or JWT) or 4407 (an
unauthenticated one: extend the identity at signup); after `idle_timeout` seconds without a
frame, with 1000. Every close carries its reason.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from simple_websocket import ConnectionClosed, Server

from shared.liveperson.idp.consumer_token import Identity, TokenRefused
from shared.liveperson.messaging.hub import Hub
from shared.liveperson.messaging.requests import (
    dispatch,
    subscribe_ex_conversations,
    subscribe_messaging_events,
)
from shared.liveperson.messaging.requests.subscribe_ex_conversations import ExSubscription
from shared.liveperson.store import Store
from shared.liveperson.store.models import Conversation, Message

INIT_SECONDS = 10  # to send InitConnection, when the handshake carried no token
TOKEN_EXPIRED = 4401
UNAUTHENTICATED_EXPIRED = 4407
NORMAL = 1000


@dataclass(eq=False)  # a listener in the hub's sets: hashed by identity
class Connection:
    app: Flask
    ws: Server
    identity: Identity | None = None
    channel: str = "web"  # from the client's properties: "mobile" for LivePerson's mobile SDKs
    subscriptions: dict[str, ExSubscription] = field(default_factory=dict)
    # Run after the current request's response is sent: a subscription's first notification,
    # the hub's notice of a change, which may reach this socket too.
    after_reply: list[Callable[[], object]] = field(default_factory=list)
    # Closed after the current request's response: (code, reason).
    pending_close: tuple[int, str] | None = None
    _send_lock: threading.Lock = field(default_factory=threading.Lock)
    _closed: bool = False

    @property
    def store(self) -> Store:
        return self.app.extensions["store"]  # type: ignore[no-any-return]

    @property
    def hub(self) -> Hub:
        return self.app.extensions["hub"]  # type: ignore[no-any-return]

    @property
    def consumer_id(self) -> str:
        assert self.identity is not None, "requests past InitConnection come authenticated"
        return self.identity.consumer_id

    def authenticate(self, token: str) -> None:
        """Take the consumer token; `TokenRefused` when it is not valid now."""
        self.identity = self.app.extensions["consumer_tokens"].read(token)

    def close_code_for(self, refused: TokenRefused, token: str) -> int:
        """4407 for an unauthenticated consumer's expired token, else 4401."""
        if refused.expired:
            held = self.app.extensions["consumer_tokens"].read(token, allow_expired=True)
            return TOKEN_EXPIRED if held.authenticated else UNAUTHENTICATED_EXPIRED
        return TOKEN_EXPIRED

    # Sending: from this socket's thread, and from whichever thread changed a conversation.

    def send(self, frame: dict[str, Any]) -> None:
        with self._send_lock:
            if self._closed:
                return
            try:
                self.ws.send(json.dumps(frame))
            except ConnectionClosed:
                self._closed = True

    def close(self, code: int, reason: str) -> None:
        with self._send_lock:
            if self._closed:
                return
            self._closed = True
            with contextlib.suppress(ConnectionClosed):
                self.ws.close(reason=code, message=reason[:120])  # a close frame's reason: 123 bytes

    # The hub's Listener.

    def message_added(self, message: Message) -> None:
        conversation = self.store.conversation(message.conversation_id)
        if conversation is not None and conversation.consumer_id == self.consumer_id:
            self.send(subscribe_messaging_events.notification([message]))

    def conversation_changed(self, conversation: Conversation) -> None:
        for subscription in list(self.subscriptions.values()):
            frame = subscribe_ex_conversations.notification(self, subscription, [conversation])
            if frame is not None:
                self.send(frame)


def serve(connection: Connection, token: str | None, idle_timeout: float) -> None:
    """Answer the consumer's requests until the socket closes or must be closed."""
    try:
        if token is not None:
            try:
                connection.authenticate(token)
            except TokenRefused as refused:
                connection.close(connection.close_code_for(refused, token), refused.message)
                return
        started = last_frame = time.monotonic()
        while True:
            deadline, why = _next_deadline(connection, started, last_frame, idle_timeout)
            frame = connection.ws.receive(timeout=max(0.0, deadline - time.monotonic()))
            if frame is None:
                connection.close(*_closing(connection, why, idle_timeout))
                return
            last_frame = time.monotonic()
            connection.send(dispatch(connection, frame))
            for follow_up in connection.after_reply:
                follow_up()
            connection.after_reply.clear()
            if connection.pending_close is not None:
                connection.close(*connection.pending_close)
                return
    except ConnectionClosed:
        pass
    finally:
        connection.hub.forget(connection)


def _next_deadline(
    connection: Connection, started: float, last_frame: float, idle: float
) -> tuple[float, str]:
    """When the socket must close if no frame comes, and why."""
    deadlines = [(last_frame + idle, "idle")]
    if connection.identity is None:
        deadlines.append((started + INIT_SECONDS, "init"))
    else:
        deadlines.append((time.monotonic() + connection.identity.expires_at - time.time(), "expired"))
    return min(deadlines)


def _closing(connection: Connection, why: str, idle_timeout: float) -> tuple[int, str]:
    if why == "init":
        return TOKEN_EXPIRED, "No consumer token: send Authorization: jwt <token>, or InitConnection."
    if why == "expired":
        assert connection.identity is not None
        code = TOKEN_EXPIRED if connection.identity.authenticated else UNAUTHENTICATED_EXPIRED
        return code, "The consumer token has expired."
    return NORMAL, f"Idle for {idle_timeout:g} s: send GetClock or a ping at least every minute."
