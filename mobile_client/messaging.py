"""The Messaging SDK as the app uses it: `shared.messaging_sdk` plus the host-app side.

What the real SDK asks of a host app, and where it happens here:
- start the conversation with the authentication supplied up front (`start`): fetch a code
  (code flow, with the SDK's PKCE parameters when PKCE is on) or a signed id_token (implicit
  flow) from the brand's backend, build `AuthenticationParams`, `start_conversation(params)`;
- or start it as a guest (`start_as_guest`, `AuthenticationParams.unauthenticated()`), and once
  the customer has logged in, step up (`step_up`): `reconnect` with `perform_step_up=True`, and
  the same conversation, with its history, goes on as the customer's;
- `on_token_expired` -> fetch fresh authentication from the backend -> `reconnect(params)`; if
  that fails, the failure is shown with a Retry button: nothing retries by itself;
- `on_authentication_failed(error)` -> show `error.reason`; the user retries (`retry`);
- the customer's text goes out with `send_text`; what LivePerson pushes (messages, the
  conversation resolved, the connection state) is shown as it comes;
- logging out of the app logs out of the SDK (`end`): its token and conversation are forgotten.

The backend and LivePerson are called on worker threads. The SDK's callbacks arrive on those
threads or on its socket's reader thread, and are handed to the UI with `@mainthread`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from kivy.clock import mainthread

from mobile_client.background import run_in_background
from mobile_client.config import ClientSettings
from shared.messaging_sdk import (
    AuthenticationError,
    AuthenticationParams,
    ConnectionState,
    Conversation,
    LpError,
    Message,
    MessagingClient,
    MessagingListener,
)

AuthSource = Callable[[str, bool], AuthenticationParams]
"""`fetch_auth(flow, step_up)`: blocking; asks the backend for a code or a JWT; raises on failure."""


class ConversationView(Protocol):
    """What the SDK adapter tells the screen; always called on the UI thread."""

    def show_connection(self, state: str) -> None: ...

    def show_connecting(self, text: str) -> None: ...

    def show_conversation(self, conversation: Conversation, renewed: bool, stepped_up: bool) -> None: ...

    def show_messages(self, messages: list[Message]) -> None: ...

    def show_resolved(self, conversation: Conversation) -> None: ...

    def show_failure(self, reason: str) -> None: ...

    def message_sent(self, error: str | None) -> None: ...

    def clear(self) -> None: ...


class MessagingSdk(MessagingListener):
    def __init__(self, settings: ClientSettings, fetch_auth: AuthSource, view: ConversationView) -> None:
        self.client = MessagingClient(
            settings.liveperson_url, settings.account, listener=self, timeout=settings.timeout
        )
        self.flow = settings.flow
        self.guest = False  # the conversation was started unauthenticated and not stepped up yet
        self.renewals = 0  # reconnects after a token expiry, since the last start
        self.stepped_up = False  # the guest conversation went on as the customer's, since the last start
        self._renewing = False  # a token expired: the next connection is a renewal
        self._stepping_up = False  # a step-up is under way: the next connection is the customer's
        self._fetch_auth = fetch_auth
        self._view = view
        self._generation = 0  # bumped by each start, step-up and end: late results of older ones are dropped

    @property
    def conversation(self) -> Conversation | None:
        return self.client.conversation

    @property
    def can_step_up(self) -> bool:
        """A guest conversation is open on this device: a login can carry it over."""
        conversation = self.client.conversation
        return conversation is not None and not conversation.authenticated and not conversation.resolved

    def start(self, flow: str) -> None:
        """Open a conversation, authenticated with a fresh code or JWT from the backend."""
        self.flow, self.guest = flow, False
        self._restart(f"Connecting to LivePerson ({flow} flow)...")
        self._in_background(
            lambda: self.client.start_conversation(self._fetch_auth(flow, False)), "messaging-start"
        )

    def start_as_guest(self) -> None:
        """Open a conversation without identity: LivePerson signs up an unauthenticated consumer."""
        self.guest = True
        self._restart("Connecting to LivePerson as a guest...")
        self._in_background(
            lambda: self.client.start_conversation(AuthenticationParams.unauthenticated()),
            "messaging-start-guest",
        )

    def start_again(self) -> None:
        """After the conversation was closed: a new one, as the same kind of customer."""
        if self.guest:
            self.start_as_guest()
        else:
            self.start(self.flow)

    def step_up(self, flow: str) -> None:
        """The guest has logged in: the same conversation goes on as the customer's."""
        self.flow, self.guest = flow, False
        self._generation += 1
        self._stepping_up = True
        self._view.show_connecting("Logging you in to LivePerson: this conversation goes on as yours...")
        self._reconnect()

    def retry(self) -> None:
        """After a failure: reconnect to the conversation, or start a new one."""
        if self.client.conversation is not None:
            self._view.show_connecting("Reconnecting to LivePerson...")
            self._reconnect()
        else:
            self.start_again()

    def send(self, text: str) -> None:
        """The customer's message; it appears when LivePerson echoes it."""
        run_in_background(
            lambda: self.client.send_text(text),
            lambda _sequence: self._view.message_sent(None),
            lambda error: self._view.message_sent(str(error)),
            name="messaging-send",
        )

    def end(self) -> None:
        """Log out of the SDK: its token and the conversation are forgotten on this device and no
        longer shown (an authenticated customer's stays open at LivePerson, found again at the
        next start; a guest's cannot be found again)."""
        self._generation += 1
        self.guest = self._renewing = self._stepping_up = False
        self.client.logout()
        self._view.clear()

    # MessagingListener: these run on the SDK's threads.

    @mainthread
    def on_connection_state_changed(self, state: ConnectionState) -> None:
        self._view.show_connection(state.value.capitalize())
        conversation = self.client.conversation
        if state is ConnectionState.CONNECTED and conversation is not None:
            if self._renewing:
                self.renewals += 1
                self._renewing = False
            if self._stepping_up and conversation.authenticated:
                self.stepped_up, self._stepping_up = True, False
            self._view.show_conversation(conversation, self.renewals > 0, self.stepped_up)

    @mainthread
    def on_message_received(self, message: Message) -> None:
        self._view.show_messages(self.client.messages)

    @mainthread
    def on_conversation_resolved(self, conversation: Conversation) -> None:
        self._view.show_resolved(conversation)

    @mainthread
    def on_token_expired(self) -> None:
        self._renewing = True
        self._view.show_connecting("The token expired: fetching fresh authentication from the backend...")
        self._reconnect()

    @mainthread
    def on_authentication_failed(self, error: AuthenticationError) -> None:
        if error.kind in (LpError.SOCKET, LpError.TIMEOUT):  # LivePerson not reached, or silent
            self._view.show_failure(f"Could not reach LivePerson: {error.reason}")
        elif error.kind is LpError.STEP_UP_FAILURE:
            self._view.show_failure(f"LivePerson could not carry the conversation over: {error.reason}")
        else:
            self._view.show_failure(f"LivePerson refused the authentication: {error.reason}")

    def _restart(self, connecting: str) -> None:
        self._generation += 1
        self.renewals, self.stepped_up = 0, False
        self._renewing = self._stepping_up = False
        self._view.clear()  # the previous conversation's messages and state
        self._view.show_connecting(connecting)

    def _reconnect(self) -> None:
        self._in_background(lambda: self.client.reconnect(self._authentication()), "messaging-reconnect")

    def _authentication(self) -> AuthenticationParams:
        """Runs on a worker thread: a guest stays a guest (the SDK extends the identity); a
        customer whose conversation is still a guest's steps up; else fresh authentication."""
        if self.guest:
            return AuthenticationParams.unauthenticated()
        held = self.client.conversation
        return self._fetch_auth(self.flow, held is not None and not held.authenticated)

    def _in_background(self, work: Callable[[], object], name: str) -> None:
        """The listener's callbacks carry the SDK's outcome; only the backend's failure is left."""
        generation = self._generation
        run_in_background(
            work,
            lambda _result: None,
            lambda error: self._could_not_authenticate(error, generation),
            name=name,
        )

    def _could_not_authenticate(self, error: Exception, generation: int) -> None:
        """The backend did not give a code or JWT (down, session expired, ...)."""
        if generation == self._generation:
            self._view.show_failure(f"Could not get authentication from the backend: {error}")
