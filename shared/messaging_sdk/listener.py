"""What the SDK tells the host app. Subclass and override what you need; the defaults do nothing.

Mirrors Android's `LivePersonCallback` (set with `LivePerson.setCallback`) and iOS's
`LPMessagingSDKdelegate`.

Threads: a callback runs on the thread whose work caused it. The outcome of `start_conversation`
and `reconnect` (started, failed, connecting/connected) arrives on the thread that called them;
everything LivePerson pushes (messages, a resolved conversation, the socket closing, and what
the SDK does about it by itself: extending an identity, reconnecting a dropped socket) arrives on
the socket's reader thread. A UI toolkit hands them to its own thread (Kivy: `@mainthread`).
A callback on the reader thread must not call `send_text` or `close_conversation` directly (they
wait for an answer only that thread can read; they raise `RuntimeError`): hand them to another
thread, as a UI does anyway.
"""

from __future__ import annotations

from shared.messaging_sdk.connection import ConnectionState
from shared.messaging_sdk.conversation import Conversation, Message
from shared.messaging_sdk.errors import AuthenticationError


class MessagingListener:
    def on_connection_state_changed(self, state: ConnectionState) -> None:
        """Connecting, connected (the conversation is ready), disconnected (Android
        `onConnectionChanged(isConnected)`, iOS `LPMessagingSDKConnectionStateChanged(isReady:brandID:)`)."""

    def on_conversation_started(self, conversation: Conversation) -> None:
        """The client is in a conversation it was not in: a new one, or the customer's open one
        found at `start_conversation` (Android `onConversationStarted(LPConversationData)`,
        iOS `LPMessagingSDKConversationStarted(conversationID)`). A reconnect to the same
        conversation does not start it again: `client.conversation` then holds the renewed identity."""

    def on_conversation_resolved(self, conversation: Conversation) -> None:
        """The conversation was closed, by the customer or the agent: `conversation.close_reason`
        (Android `onConversationResolved(LPConversationData)`, iOS
        `LPMessagingSDKConversationEnded(conversationID, closeReason:)`)."""

    def on_message_received(self, message: Message) -> None:
        """A message of the conversation, once per `sequence`: the agent's, the customer's own as
        LivePerson echoes them, and the history when the client joins. The real SDKs draw these in
        their own conversation screen; this core has none, so it hands them over."""

    def on_token_expired(self) -> None:
        """LivePerson closed the socket with 4401: the customer's token expired. Fetch a fresh code
        or JWT from the brand's backend and call `reconnect(params)`; the same conversation goes on
        (Android `onTokenExpired()`, iOS `LPMessagingSDKTokenExpired(brandID)`). The SDK does not
        retry by itself."""

    def on_unauthenticated_user_expired(self) -> None:
        """LivePerson closed the socket with 4407: the unauthenticated identity expired. The SDK
        extends it at signup and reconnects by itself; this is for information (Android
        `onUnauthenticatedUserExpired()`)."""

    def on_authentication_failed(self, error: AuthenticationError) -> None:
        """The customer has no conversation: the IdP refused the code, JWT or step-up, LivePerson
        could not be reached or stopped answering, or a dropped socket could not be reconnected.
        `error.kind` is the `LpError`, `error.code` LivePerson's internalErrorCode, `error.reason`
        one line for the user (Android `onError(LpError, message)`, iOS
        `LPMessagingSDKAuthenticationFailed(error)`). The SDK does not retry by itself."""
