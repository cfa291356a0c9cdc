"""The SDK's entry point: start a conversation with the authentication supplied up front, notice
when its token expires, reconnect with fresh authentication.

    client = MessagingClient("http://127.0.0.1:8002", "12345678", listener=my_listener)
    client.start_conversation(AuthenticationParams.code(code, redirect_uri))
    # later, in my_listener.on_token_expired: fetch a fresh code, then
    client.reconnect(AuthenticationParams.code(fresh_code, redirect_uri))

Network calls are synchronous: a UI calls them from a worker thread. All methods are thread-safe;
when calls overlap, the one started last decides the conversation, and the result of a call
overtaken by a later `start_conversation`, `reconnect` or `end_conversation` is dropped.
Failures never raise: they go to `on_authentication_failed` and the call returns None.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from shared.messaging_sdk import api
from shared.messaging_sdk.authentication import AuthenticationParams, AuthType
from shared.messaging_sdk.conversation import Conversation
from shared.messaging_sdk.errors import AuthenticationError
from shared.messaging_sdk.listener import MessagingListener

Scheduler = Callable[[float, Callable[[], None]], object]
"""`schedule(delay_seconds, fn)`: run `fn()` once, about `delay_seconds` from now, on any thread.
With Kivy: `lambda delay, fn: Clock.schedule_once(lambda _dt: fn(), delay)`."""


def thread_timer(delay: float, fn: Callable[[], None]) -> threading.Timer:
    """The default scheduler: a daemon `threading.Timer`, so a pending check never keeps the app alive."""
    timer = threading.Timer(delay, fn)
    timer.daemon = True
    timer.start()
    return timer


class MessagingClient:
    """One brand account at LivePerson (`LivePerson.initialize(context, InitLivePersonProperties(
    brandId, ...))` on Android, `LPMessagingSDK.instance.initialize(brandID)` on iOS)."""

    def __init__(
        self,
        liveperson_url: str,
        account: str,
        *,
        listener: MessagingListener | None = None,
        timeout: float = 10,
        clock: Callable[[], float] = time.time,
        schedule: Scheduler = thread_timer,
    ) -> None:
        self.liveperson_url = liveperson_url
        self.account = account
        self.timeout = timeout
        self._listener = listener or MessagingListener()
        self._clock = clock
        self._schedule = schedule
        self._lock = threading.Lock()
        self._conversation: Conversation | None = None
        self._expiry_reported = False  # on_token_expired already fired for this conversation
        self._generation = 0  # bumped by every call that changes the conversation

    def set_listener(self, listener: MessagingListener) -> None:
        """`LivePerson.setCallback(callback)` / `LPMessagingSDK.instance.delegate = ...`."""
        self._listener = listener

    @property
    def conversation(self) -> Conversation | None:
        """The current conversation, or None before one started, after a failed start, or after
        `end_conversation`. After a token expiry it stays until `reconnect` replaces it."""
        with self._lock:
            return self._conversation

    def start_conversation(self, params: AuthenticationParams) -> Conversation | None:
        """Open a conversation with the authentication supplied up front, as LivePerson advises
        (`LivePerson.showConversation(activity, authParams, viewParams)`; iOS
        `showConversation(conversationViewParams, authenticationParams:)`).

        Returns the conversation (also passed to `on_conversation_started`), or None when the
        authentication failed (the reason goes to `on_authentication_failed`); then there is no
        conversation."""
        return self._authenticate(params, reconnecting=False)

    def reconnect(self, params: AuthenticationParams) -> Conversation | None:
        """Authenticate the current conversation again, typically from `on_token_expired` with a
        fresh code or JWT (`LivePerson.reconnect(authParams)`; iOS
        `reconnect(conversationQuery, authenticationParams:)`).

        On success the renewed conversation replaces the current one and goes to
        `on_conversation_started`; on failure the current one stays (expired) so the app may retry.
        Without a current conversation (never started, or ended meanwhile) nothing happens and
        None is returned."""
        return self._authenticate(params, reconnecting=True)

    def end_conversation(self) -> None:
        """Forget the conversation, e.g. when the customer logs out (`LivePerson.logOut`; iOS
        `logout`). Results of calls still in flight are dropped; no more expiry callbacks."""
        with self._lock:
            self._generation += 1
            self._conversation = None

    def check_expiry(self) -> bool:
        """Fire `on_token_expired` if the current conversation's token has expired and this has not
        been reported yet; True when it fired. Safe to call at any time from any thread; the client
        also schedules it for the moment the token expires. The real SDKs do this internally (their
        connection notices the expiry); here it is public so a UI toolkit can drive it."""
        with self._lock:
            conversation = self._conversation
            if conversation is None or self._expiry_reported or not conversation.is_expired(self._clock()):
                return False
            self._expiry_reported = True
        self._listener.on_token_expired()
        return True

    def _authenticate(self, params: AuthenticationParams, *, reconnecting: bool) -> Conversation | None:
        with self._lock:
            if reconnecting and self._conversation is None:
                return None
            self._generation += 1
            generation = self._generation
            if not reconnecting:
                self._conversation = None
        try:
            if params.type is AuthType.UN_AUTH:
                conversation = Conversation.unauthenticated()
            else:
                conversation = api.authenticate(self.liveperson_url, self.account, params, self.timeout)
        except AuthenticationError as error:
            with self._lock:
                current = generation == self._generation
            if current:
                self._listener.on_authentication_failed(error)
            return None
        with self._lock:
            if generation != self._generation:
                return None
            self._conversation = conversation
            self._expiry_reported = False
        self._listener.on_conversation_started(conversation)
        self._schedule_expiry_check(conversation)
        return conversation

    def _schedule_expiry_check(self, conversation: Conversation) -> None:
        if conversation.expires_at is not None:
            delay = max(0.0, conversation.expires_at - self._clock())
            self._schedule(delay, lambda: self._expiry_due(conversation))

    def _expiry_due(self, conversation: Conversation) -> None:
        """The scheduled check. A timer may fire a little early: then it waits for the rest."""
        with self._lock:
            if self._conversation is not conversation:
                return  # replaced or ended meanwhile
            early = not conversation.is_expired(self._clock())
        if early:
            self._schedule_expiry_check(conversation)
        else:
            self.check_expiry()
