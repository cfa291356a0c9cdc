"""The SDK's entry point: one brand account at LivePerson, one customer, one conversation.

    client = MessagingClient("http://127.0.0.1:8002", "12345678", listener=my_listener)
    pkce = get_pkce_params()                        # code flow with PKCE: the app authorizes
    client.start_conversation(AuthenticationParams.code(code, redirect_uri, pkce.code_verifier))
    client.send_text("Hello")
    # my_listener.on_token_expired: fetch a fresh code, then
    client.reconnect(AuthenticationParams.code(fresh_code, redirect_uri))

What `start_conversation` does, as LivePerson's SDKs do ("Messaging Window API — Getting
Started", "Tutorials"): get a consumer token from the IdP (`signup`, or `authenticate` with the
brand's code or JWT; `idp.py`), open the consumer socket with it (`connection.py`), subscribe to
the consumer's conversations (`cqm.SubscribeExConversations`), join the open one or request a new
one (`cm.ConsumerRequestConversation`), and subscribe to its messages
(`ms.SubscribeMessagingEvents`). Then LivePerson's close codes drive it ("Protocol Overview"):

- 4401, the authenticated customer's token expired: `on_token_expired`; the app supplies fresh
  authentication with `reconnect(params)` and the same open conversation goes on (LivePerson
  keeps it for the same brand customer). If that authentication fails, it is reported and the
  SDK stops: it never retries authentication by itself.
- 4407, the unauthenticated identity expired: the SDK extends it at signup with the old token and
  reconnects, to the same conversation; `on_unauthenticated_user_expired` tells the app.
- any other close, or a lost connection: the SDK waits and reconnects with the same token, after
  each of `reconnect_delays` in turn, and reports `LpError.SOCKET` when all attempts failed.

Step-up: an UN_AUTH conversation, then `reconnect(params)` with `perform_step_up=True` sends the
unauthenticated consumer's token along (`Authorization: jwt`); the conversation, with its
history, goes on as the authenticated customer's.

Calls are synchronous (run them off a UI thread) and thread-safe. When calls overlap, the one
started last decides; an overtaken call returns None and reports nothing. `start_conversation`
and `reconnect` never raise: failures go to `on_authentication_failed`. `send_text` and
`close_conversation` raise `RequestError`. Which thread each callback runs on: listener.py.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any

from shared.messaging_sdk import idp, protocol
from shared.messaging_sdk.authentication import AuthenticationParams, AuthType
from shared.messaging_sdk.connection import (
    TOKEN_EXPIRED,
    UNAUTHENTICATED_EXPIRED,
    Connection,
    ConnectionState,
    SocketClosed,
)
from shared.messaging_sdk.consumer_token import ConsumerToken
from shared.messaging_sdk.conversation import CLOSE, OPEN, Conversation, Message
from shared.messaging_sdk.errors import AuthenticationError, LpError, RequestError
from shared.messaging_sdk.listener import MessagingListener

RECONNECT_DELAYS = (1.0, 2.0, 4.0, 8.0, 16.0)  # seconds before each attempt after a dropped socket


class _Superseded(Exception):
    """A later `start_conversation`, `reconnect` or `logout` took over: this work is dropped."""


@dataclass(frozen=True, eq=False)
class _Attempt:
    """What a public call started; `cancelled` is set when a later call takes over."""

    cancelled: threading.Event = dataclasses.field(default_factory=threading.Event)


class MessagingClient:
    """`LivePerson.initialize(context, InitLivePersonProperties(brandId, ...))` on Android,
    `LPMessagingSDK.instance.initialize(brandID)` on iOS.

    `keepalive_interval`: seconds between GetClocks, well under LivePerson's 60-second idle close.
    `reconnect_delays`: the waits before each attempt to reconnect a dropped socket."""

    def __init__(
        self,
        liveperson_url: str,
        account: str,
        *,
        listener: MessagingListener | None = None,
        timeout: float = 10,
        keepalive_interval: float = 30,
        reconnect_delays: Sequence[float] = RECONNECT_DELAYS,
    ) -> None:
        self.liveperson_url = liveperson_url
        self.account = account
        self.timeout = timeout
        self.keepalive_interval = keepalive_interval
        self.reconnect_delays = tuple(reconnect_delays)
        self._listener = listener or MessagingListener()
        self._lock = threading.Lock()
        self._attempt = _Attempt()
        self._state = ConnectionState.DISCONNECTED
        self._token: ConsumerToken | None = None
        self._connection: Connection | None = None
        self._first_changes: Future[list[protocol.ConversationChange]] | None = None
        self._conversation: Conversation | None = None
        self._messages: dict[int, Message] = {}

    def set_listener(self, listener: MessagingListener) -> None:
        """`LivePerson.setCallback(callback)` / `LPMessagingSDK.instance.delegate = ...`."""
        self._listener = listener

    # What the app reads

    @property
    def conversation(self) -> Conversation | None:
        """The current conversation (resolved ones stay until the next start), or None before a
        start, after a failed one, and after `logout`."""
        with self._lock:
            return self._conversation

    @property
    def messages(self) -> list[Message]:
        """The current conversation's messages seen so far, by sequence."""
        with self._lock:
            return [self._messages[sequence] for sequence in sorted(self._messages)]

    @property
    def connection_state(self) -> ConnectionState:
        with self._lock:
            return self._state

    # What the app does

    def start_conversation(self, params: AuthenticationParams) -> Conversation | None:
        """Authenticate as `params` say and join the customer's open conversation, or open one,
        with the authentication supplied up front, as LivePerson advises
        (`LivePerson.showConversation(activity, authParams, viewParams)`; iOS
        `showConversation(conversationViewParams, authenticationParams:)`). Returns the
        conversation (also passed to `on_conversation_started`), or None when it failed (then
        `on_authentication_failed` says why)."""
        attempt = self._take_over(forget=True)
        try:
            self._set_state(ConnectionState.CONNECTING, attempt)
            token = self._identify(params, None)
            return self._join(token, params.flow, attempt, continuing=False)
        except _Superseded:
            return None
        except (AuthenticationError, SocketClosed, RequestError) as error:
            self._fail(error, attempt)
            return None

    def reconnect(self, params: AuthenticationParams) -> Conversation | None:
        """Authenticate again and go on with the current conversation: after `on_token_expired`
        with a fresh code or JWT, or to step up with `perform_step_up=True`
        (`LivePerson.reconnect(authParams)`; iOS `reconnect(conversationQuery,
        authenticationParams:)`). Returns the conversation, or None when it failed (reported to
        `on_authentication_failed`; the conversation stays, for another `reconnect`). Without a
        conversation (never started, or after `logout`) it does nothing and returns None."""
        with self._lock:
            token, previous = self._token, self._conversation
        if token is None or previous is None:
            return None
        attempt = self._take_over(forget=False)
        step_up_from = token if params.perform_step_up and not token.authenticated else None
        try:
            self._set_state(ConnectionState.CONNECTING, attempt)
            fresh = self._identify(params, token)
            continuing = step_up_from is not None or fresh.consumer_id == previous.consumer_id
            return self._join(fresh, params.flow, attempt, continuing=continuing)
        except _Superseded:
            return None
        except (AuthenticationError, SocketClosed, RequestError) as error:
            self._fail(error, attempt)
            return None

    def send_text(self, text: str) -> int:
        """Send a text message (`ms.PublishEvent`, a ContentEvent); returns its sequence. It also
        comes back through `on_message_received`, as LivePerson echoes it."""
        connection, conversation = self._ready()
        answer = self._request(connection, protocol.PUBLISH_EVENT, protocol.text_event(conversation, text))
        sequence = answer.get("sequence") if isinstance(answer, dict) else None
        if not isinstance(sequence, int):
            raise RequestError("LivePerson accepted the message but did not say its sequence")
        return sequence

    def close_conversation(self) -> None:
        """Close the conversation for both sides (`cm.UpdateConversationField`,
        ConversationStateField CLOSE; Android `LivePerson.resolveConversation()`);
        `on_conversation_resolved` follows."""
        connection, conversation = self._ready()
        self._request(
            connection, protocol.UPDATE_CONVERSATION_FIELD, protocol.close_conversation(conversation)
        )

    def logout(self) -> None:
        """Close the socket and forget the customer's token and conversation on this device, e.g.
        when the customer logs out of the app (`LivePerson.logOut`; iOS `logout`). The conversation
        stays open at LivePerson: the same customer finds it again at the next start."""
        attempt = self._take_over(forget=True)
        self._set_state(ConnectionState.DISCONNECTED, attempt)

    # Authenticating and joining

    def _identify(self, params: AuthenticationParams, held: ConsumerToken | None) -> ConsumerToken:
        """The consumer token for `params`; `held`, the current token, is stepped up (AUTH) or
        extended (UN_AUTH, if it is unauthenticated)."""
        if params.type is AuthType.UN_AUTH:
            extend = held if held is not None and not held.authenticated else None
            return idp.signup(self.liveperson_url, self.account, self.timeout, extend)
        step_up_from = (
            held if params.perform_step_up and held is not None and not held.authenticated else None
        )
        return idp.authenticate(self.liveperson_url, self.account, params, self.timeout, step_up_from)

    def _join(
        self, token: ConsumerToken, flow: str | None, attempt: _Attempt, *, continuing: bool
    ) -> Conversation:
        """Open the socket with `token` and settle on a conversation: the current one if it is
        still open and `continuing`, else the consumer's open one, else a new one (unless
        `continuing`: a conversation resolved meanwhile stays resolved)."""
        self._set_state(ConnectionState.CONNECTING, attempt)
        connection = Connection.open(
            self.liveperson_url,
            self.account,
            token.token,
            on_notification=self._notified,
            on_closed=self._socket_closed,
            timeout=self.timeout,
            keepalive_interval=self.keepalive_interval,
        )
        first: Future[list[protocol.ConversationChange]] = Future()
        try:
            with self._lock:
                if attempt is not self._attempt:
                    raise _Superseded
                self._connection, self._first_changes = connection, first
            connection.request(protocol.SUBSCRIBE_EX_CONVERSATIONS, protocol.subscribe_ex_conversations())
            try:
                changes = first.result(self.timeout)
            except FutureTimeout:
                raise RequestError(
                    f"LivePerson did not list the conversations within {self.timeout:g} s"
                ) from None
            current = self._settle(connection, token, flow, changes, continuing)
            started, resolved, from_sequence = self._adopt(attempt, connection, token, current)
            if started:
                self._listener.on_conversation_started(current)
            if resolved:
                self._listener.on_conversation_resolved(current)
            if not current.resolved:
                connection.request(
                    protocol.SUBSCRIBE_MESSAGING_EVENTS,
                    protocol.subscribe_messaging_events(current.conversation_id, from_sequence),
                )
            with self._lock:
                self._check(attempt, connection)
                self._state = ConnectionState.CONNECTED
        except BaseException:
            with self._lock:
                if self._connection is connection:
                    self._connection = None
            connection.close()
            raise
        self._listener.on_connection_state_changed(ConnectionState.CONNECTED)
        return current

    def _settle(
        self,
        connection: Connection,
        token: ConsumerToken,
        flow: str | None,
        changes: list[protocol.ConversationChange],
        continuing: bool,
    ) -> Conversation:
        with self._lock:
            previous = self._conversation if continuing else None
        open_ids = [change.conversation_id for change in changes if change.state == OPEN]
        if previous is not None and previous.conversation_id in open_ids:
            chosen = previous.conversation_id
        elif open_ids:
            chosen = open_ids[-1]
        elif previous is not None:  # closed while the socket was down
            closed = [
                c for c in changes if c.conversation_id == previous.conversation_id and c.state == CLOSE
            ]
            reason = closed[0].close_reason if closed else previous.close_reason
            return dataclasses.replace(previous, state=CLOSE, close_reason=reason)
        else:
            answer = connection.request(protocol.REQUEST_CONVERSATION, {})
            chosen = answer.get("conversationId") if isinstance(answer, dict) else None
            if not isinstance(chosen, str):
                raise RequestError("LivePerson opened a conversation but did not say its id")
        return Conversation(chosen, token.consumer_id, token.customer_id, flow, token.expires_at)

    def _adopt(
        self, attempt: _Attempt, connection: Connection, token: ConsumerToken, current: Conversation
    ) -> tuple[bool, bool, int]:
        """Make `current` the client's: (is it new to the client, did it resolve unseen, the
        first sequence not seen yet)."""
        with self._lock:
            self._check(attempt, connection)
            previous = self._conversation
            started = previous is None or previous.conversation_id != current.conversation_id
            seen_resolved = previous is not None and previous.resolved and not started
            resolved = current.resolved and not seen_resolved
            if started:
                self._messages = {}
            self._token, self._conversation = token, current
            from_sequence = 0
            while from_sequence in self._messages:
                from_sequence += 1
        return started, resolved, from_sequence

    def _check(self, attempt: _Attempt, connection: Connection) -> None:
        """Under the lock: this work is still the client's, and its socket still open."""
        if attempt is not self._attempt:
            raise _Superseded
        if self._connection is not connection:
            raise connection.closed or _Superseded()

    # What LivePerson pushes (the reader thread)

    def _notified(self, connection: Connection, frame: dict[str, Any]) -> None:
        kind, body = frame.get("type"), frame.get("body")
        if kind == protocol.EX_CONVERSATION_CHANGE_NOTIFICATION:
            self._conversations_changed(connection, protocol.conversation_changes(body))
        elif kind == protocol.MESSAGING_EVENT_NOTIFICATION:
            self._messages_arrived(connection, protocol.messages(body))

    def _conversations_changed(
        self, connection: Connection, changes: list[protocol.ConversationChange]
    ) -> None:
        with self._lock:
            if connection is not self._connection:
                return
            first = self._first_changes
            if first is not None and not first.done():
                first.set_result(changes)  # the join in progress decides with these
                return
            current = self._conversation
            closed = [
                change
                for change in changes
                if current is not None
                and change.conversation_id == current.conversation_id
                and change.state == CLOSE
            ]
            if current is None or current.resolved or not closed:
                return
            self._conversation = current = dataclasses.replace(
                current, state=CLOSE, close_reason=closed[-1].close_reason
            )
        self._listener.on_conversation_resolved(current)

    def _messages_arrived(self, connection: Connection, messages: list[Message]) -> None:
        with self._lock:
            current = self._conversation
            if connection is not self._connection or current is None:
                return
            new = {
                message.sequence: message
                for message in messages
                if message.conversation_id == current.conversation_id
                and message.sequence not in self._messages
            }
            self._messages.update(new)
        for sequence in sorted(new):
            self._listener.on_message_received(new[sequence])

    def _socket_closed(self, connection: Connection, closed: SocketClosed) -> None:
        with self._lock:
            if connection is not self._connection:
                return
            self._connection = None
            established = self._state is ConnectionState.CONNECTED
            attempt = self._attempt
        self._set_state(ConnectionState.DISCONNECTED, attempt)
        if established:  # else the join in progress fails with `closed` and reports it
            self._recover(closed, attempt)

    def _recover(self, closed: SocketClosed, attempt: _Attempt) -> None:
        if closed.code == TOKEN_EXPIRED:
            self._listener.on_token_expired()
        elif closed.code == UNAUTHENTICATED_EXPIRED:
            self._listener.on_unauthenticated_user_expired()
            self._extend(attempt)
        else:
            self._reconnect_after(closed, attempt)

    def _extend(self, attempt: _Attempt) -> None:
        """After 4407: the same unauthenticated consumer, with a new token, on a new socket."""
        with self._lock:
            token = self._token
        if token is None:
            return  # a logout took over
        try:
            self._set_state(ConnectionState.CONNECTING, attempt)
            fresh = idp.signup(self.liveperson_url, self.account, self.timeout, token)
            self._join(fresh, None, attempt, continuing=True)
        except _Superseded:
            return
        except (AuthenticationError, SocketClosed, RequestError) as error:
            self._fail(error, attempt)

    def _reconnect_after(self, closed: SocketClosed, attempt: _Attempt) -> None:
        """After another close, or a lost connection: the same token, after each delay in turn."""
        with self._lock:
            token, conversation = self._token, self._conversation
        if token is None or conversation is None:
            return  # a logout took over
        last: Exception = closed
        for delay in self.reconnect_delays:
            if attempt.cancelled.wait(delay):
                return
            try:
                self._join(token, conversation.flow, attempt, continuing=True)
                return
            except _Superseded:
                return
            except SocketClosed as again:
                if again.code in (TOKEN_EXPIRED, UNAUTHENTICATED_EXPIRED):
                    self._set_state(ConnectionState.DISCONNECTED, attempt)
                    self._recover(again, attempt)
                    return
                last = again
            except RequestError as error:
                last = error
            self._set_state(ConnectionState.DISCONNECTED, attempt)
        attempts = len(self.reconnect_delays)
        self._fail(
            AuthenticationError(
                LpError.SOCKET,
                "Disconnected",
                f"the socket to LivePerson {closed} and {attempts} attempts to reconnect failed "
                f"(the last: {last})",
            ),
            attempt,
        )

    # Shared steps

    def _take_over(self, *, forget: bool) -> _Attempt:
        """Start a new attempt: the previous one's work is dropped and its socket closed."""
        with self._lock:
            self._attempt.cancelled.set()
            self._attempt = attempt = _Attempt()
            connection, self._connection, self._first_changes = self._connection, None, None
            if forget:
                self._token, self._conversation, self._messages = None, None, {}
        if connection is not None:
            connection.close()
        return attempt

    def _set_state(self, state: ConnectionState, attempt: _Attempt) -> None:
        """Tell the listener of a change, if `attempt` is still the client's."""
        with self._lock:
            if attempt is not self._attempt or self._state is state:
                return
            self._state = state
        self._listener.on_connection_state_changed(state)

    def _fail(self, error: AuthenticationError | SocketClosed | RequestError, attempt: _Attempt) -> None:
        with self._lock:
            if attempt is not self._attempt:
                return
            connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()
        self._set_state(ConnectionState.DISCONNECTED, attempt)
        self._listener.on_authentication_failed(_as_authentication_error(error))

    def _ready(self) -> tuple[Connection, str]:
        with self._lock:
            connection, conversation, state = self._connection, self._conversation, self._state
        if connection is None or conversation is None or state is not ConnectionState.CONNECTED:
            raise RequestError(
                "Not connected to LivePerson: start a conversation, or wait for the reconnection."
            )
        if conversation.resolved:
            raise RequestError(
                f"The conversation {conversation.conversation_id} is resolved: start a new one.", 409
            )
        return connection, conversation.conversation_id

    @staticmethod
    def _request(connection: Connection, kind: str, body: Any) -> Any:
        try:
            return connection.request(kind, body)
        except SocketClosed as closed:
            raise RequestError(f"The socket to LivePerson {closed}.") from None


def _as_authentication_error(error: AuthenticationError | SocketClosed | RequestError) -> AuthenticationError:
    """What the host app is told about a failure to set up or keep the conversation."""
    if isinstance(error, AuthenticationError):
        return error
    if isinstance(error, RequestError):
        if error.code is None:
            return AuthenticationError(LpError.TIMEOUT, "Timeout", error.message)
        return AuthenticationError(LpError.UNKNOWN, "Request refused", error.message)
    if error.timed_out:
        return AuthenticationError(LpError.TIMEOUT, "Timeout", error.reason)
    if error.code in (TOKEN_EXPIRED, UNAUTHENTICATED_EXPIRED):
        return AuthenticationError(LpError.IDP, "Consumer token refused", f"LivePerson's socket {error}")
    if error.code is None:
        return AuthenticationError(LpError.SOCKET, "Connection failed", error.reason)
    return AuthenticationError(LpError.SOCKET, "Socket closed", f"LivePerson's socket {error}")
