"""What the SDK tells the host app. Subclass and override what you need; the defaults do nothing.

Mirrors Android's `LivePersonCallback` (set with `LivePerson.setCallback`) and iOS's
`LPMessagingSDKdelegate`. Callbacks run on the thread that caused them: the caller of
`start_conversation` / `reconnect` / `check_expiry`, or the scheduler's thread for the expiry
check the client schedules itself. A UI toolkit hands them over to its own thread (Kivy:
`@mainthread`).
"""

from __future__ import annotations

from shared.messaging_sdk.conversation import Conversation
from shared.messaging_sdk.errors import AuthenticationError


class MessagingListener:
    def on_conversation_started(self, conversation: Conversation) -> None:
        """The customer is in: after `start_conversation`, and again after each successful
        `reconnect` with the renewed conversation (Android `onConversationStarted`,
        iOS `LPMessagingSDKConversationStarted(conversationID)`)."""

    def on_token_expired(self) -> None:
        """The customer's token has expired: fetch a fresh code or JWT from the brand's backend and
        call `reconnect` (Android `onTokenExpired`, iOS `LPMessagingSDKTokenExpired(brandID)`)."""

    def on_authentication_failed(self, error: AuthenticationError) -> None:
        """LivePerson refused the code or JWT, or could not be reached; `error.reason` says why
        (Android `onError(LpError.IDP, message)`, iOS `LPMessagingSDKAuthenticationFailed(error)`)."""
