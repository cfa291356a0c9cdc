"""The Messaging SDK core: the shape of LivePerson's mobile Messaging SDK (Android and iOS) in
plain Python, speaking LivePerson's consumer API, for the mobile app to wrap.

- `authentication`: `AuthenticationParams` (code, JWT or unauthenticated; step-up), and
  `get_pkce_params` for the code flow with PKCE.
- `client`: `MessagingClient`: start a conversation, send, close, reconnect, log out.
- `listener`: `MessagingListener`, the callbacks the host app overrides, and their threads.
- `conversation`: `Conversation` and `Message`, what the client holds.
- `errors`: `LpError`, `AuthenticationError` (LivePerson's internalErrorCode and the reason),
  `RequestError`.
- `idp`: the HTTP calls to LivePerson's IdP (`signup`, `authenticate`);
  `consumer_token`: what the SDK reads of the token the IdP answers.
- `connection`: one consumer WebSocket (requests, notifications, keep-alive, close codes);
  `protocol`: the requests and notifications by LivePerson's type names.
"""

from shared.messaging_sdk.authentication import (
    AuthenticationParams,
    AuthType,
    PkceParams,
    get_pkce_params,
)
from shared.messaging_sdk.client import MessagingClient
from shared.messaging_sdk.connection import ConnectionState
from shared.messaging_sdk.conversation import Conversation, Message
from shared.messaging_sdk.errors import AuthenticationError, LpError, RequestError
from shared.messaging_sdk.listener import MessagingListener

__all__ = [
    "AuthType",
    "AuthenticationError",
    "AuthenticationParams",
    "ConnectionState",
    "Conversation",
    "LpError",
    "Message",
    "MessagingClient",
    "MessagingListener",
    "PkceParams",
    "RequestError",
    "get_pkce_params",
]
