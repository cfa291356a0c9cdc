"""The stub Messaging SDK as the app uses it: `shared.messaging_sdk` plus the host-app side.

What the real SDK asks of a host app, and where it happens here:
- start the conversation with the authentication supplied up front (`start`): fetch a code
  (code flow) or a signed id_token (implicit flow) from the brand's backend, build
  `AuthenticationParams`, `MessagingClient.start_conversation(params)`;
- `on_token_expired` -> fetch fresh authentication from the backend -> `reconnect(params)`;
- `on_authentication_failed(error)` -> show `error.reason`; the user retries (`retry`).

The backend and LivePerson are called on worker threads; the SDK's callbacks arrive on those
threads (or on Kivy's clock for the expiry check) and are handed to the UI with `@mainthread`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from kivy.clock import Clock, mainthread

from mobile_client.background import run_in_background
from mobile_client.config import ClientSettings
from shared.messaging_sdk import (
    AuthenticationError,
    AuthenticationParams,
    Conversation,
    MessagingClient,
    MessagingListener,
)

AuthSource = Callable[[str], AuthenticationParams]
"""`fetch_auth(flow)`: blocking; asks the backend for a code or a JWT; raises on failure."""


class ConversationView(Protocol):
    """What the SDK adapter tells the screen; always called on the UI thread."""

    def show_connecting(self, text: str) -> None: ...

    def show_authenticated(self, conversation: Conversation, renewed: bool) -> None: ...

    def show_failure(self, reason: str) -> None: ...


def kivy_scheduler(delay: float, fn: Callable[[], None]) -> object:
    """The client's expiry check runs on Kivy's clock, so it stops with the app."""
    return Clock.schedule_once(lambda _dt: fn(), delay)


class MessagingSdk(MessagingListener):
    def __init__(self, settings: ClientSettings, fetch_auth: AuthSource, view: ConversationView) -> None:
        self.client = MessagingClient(
            settings.liveperson_url,
            settings.account,
            listener=self,
            timeout=settings.timeout,
            schedule=kivy_scheduler,
        )
        self.flow = settings.flow
        self.renewals = 0  # successful reconnects after a token expiry, since the last start
        self._fetch_auth = fetch_auth
        self._view = view
        self._started = 0
        self._generation = 0  # bumped by start and end: late results of older attempts are dropped

    @property
    def conversation(self) -> Conversation | None:
        return self.client.conversation

    def start(self, flow: str) -> None:
        """Open a conversation, authenticated with a fresh code or JWT from the backend."""
        self.flow = flow
        self._generation += 1
        self._started = 0
        self.renewals = 0
        self._view.show_connecting(f"Connecting to LivePerson ({flow} flow)...")
        generation = self._generation
        run_in_background(
            lambda: self.client.start_conversation(self._fetch_auth(flow)),
            lambda _conversation: None,  # the listener's callbacks carry the outcome
            lambda error: self._could_not_authenticate(error, generation),
            name="messaging-start",
        )

    def retry(self) -> None:
        """After a failure: reconnect the expired conversation, or start a new one."""
        if self.client.conversation is not None:
            self._view.show_connecting("Reconnecting to LivePerson...")
            self._reconnect()
        else:
            self.start(self.flow)

    def end(self) -> None:
        self._generation += 1
        self.client.end_conversation()

    # MessagingListener: these run on the SDK's threads.

    @mainthread
    def on_conversation_started(self, conversation: Conversation) -> None:
        renewed = self._started > 0
        self._started += 1
        if renewed:
            self.renewals += 1
        self._view.show_authenticated(conversation, renewed)

    @mainthread
    def on_token_expired(self) -> None:
        self._view.show_connecting("The token expired: fetching fresh authentication from the backend...")
        self._reconnect()

    @mainthread
    def on_authentication_failed(self, error: AuthenticationError) -> None:
        if error.status is None:  # LivePerson was not reached, or did not answer in time
            self._view.show_failure(f"Could not reach LivePerson: {error.reason}")
        else:
            self._view.show_failure(f"LivePerson refused the authentication: {error.reason}")

    def _reconnect(self) -> None:
        generation = self._generation
        run_in_background(
            lambda: self.client.reconnect(self._fetch_auth(self.flow)),
            lambda _conversation: None,
            lambda error: self._could_not_authenticate(error, generation),
            name="messaging-reconnect",
        )

    def _could_not_authenticate(self, error: Exception, generation: int) -> None:
        """The backend did not give a code or JWT (down, session expired, ...)."""
        if generation == self._generation:
            self._view.show_failure(f"Could not get authentication from the backend: {error}")
