"""The Messaging SDK core: the shape of LivePerson's mobile Messaging SDK (Android and iOS) around
consumer authentication, in plain Python, for the mobile stub to wrap.

- `authentication`: `AuthenticationParams` (code, JWT, or unauthenticated), checked when built.
- `client`: `MessagingClient`: start a conversation, check token expiry, reconnect.
- `listener`: `MessagingListener`, the callbacks the host app overrides.
- `conversation`: `Conversation`, what LivePerson accepted.
- `errors`: `AuthenticationError`, LivePerson's error number and the reason.
- `api`: the HTTP call to LivePerson's authenticate endpoint.
"""

from shared.messaging_sdk.authentication import AuthenticationParams, AuthType
from shared.messaging_sdk.client import MessagingClient, Scheduler, thread_timer
from shared.messaging_sdk.conversation import Conversation
from shared.messaging_sdk.errors import AuthenticationError
from shared.messaging_sdk.listener import MessagingListener

__all__ = [
    "AuthType",
    "AuthenticationError",
    "AuthenticationParams",
    "Conversation",
    "MessagingClient",
    "MessagingListener",
    "Scheduler",
    "thread_timer",
]
