"""A conversation as the SDK sees it once LivePerson has let the customer in.

An authenticated (AUTH) conversation is the stand-in's answer to the authentication request: its
conversation id, the customer id (`sub`) it took from the brand's id_token, the claims and SDEs,
and `expires_at`, the id_token's `exp`, after which the SDK asks the host app for fresh
authentication (`onTokenExpired`).

An unauthenticated (UN_AUTH) conversation never leaves the device in this stub: LivePerson's
unauthenticated messaging needs no brand token, and the stand-in authenticates only AUTH
customers, so the SDK makes it up locally. Its id starts with `local-`, it has no customer id, no
claims, and it never expires.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from shared.messaging_sdk.authentication import AuthType

LOCAL_PREFIX = "local-"


@dataclass(frozen=True)
class Conversation:
    conversation_id: str
    type: AuthType
    sub: str | None = None  # the authenticated customer id; None when UN_AUTH
    flow: str | None = None  # "code" or "implicit"; None when UN_AUTH
    expires_at: int | None = None  # seconds since the epoch; None: never expires
    claims: Mapping[str, Any] = field(default_factory=dict, hash=False, repr=False)
    sdes: Mapping[str, Any] = field(default_factory=dict, hash=False, repr=False)

    @classmethod
    def unauthenticated(cls) -> Conversation:
        return cls(conversation_id=LOCAL_PREFIX + secrets.token_hex(8), type=AuthType.UN_AUTH)

    @property
    def authenticated(self) -> bool:
        return self.type is AuthType.AUTH

    def is_expired(self, now: float) -> bool:
        """True once `now` reaches the token's `exp` (RFC 7519 section 4.1.4: not accepted on or after)."""
        return self.expires_at is not None and now >= self.expires_at
