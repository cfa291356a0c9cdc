"""LivePerson's consumer token, as the SDK reads it: the JWT its IdP answers `signup` and
`authenticate` with ("Messaging Window API — Getting Started"), which the socket presents in
`Authorization: jwt <token>`.

The SDK cannot verify it (it does not have LivePerson's key, nor needs to: LivePerson verifies
it at the socket). It reads the payload for what the app shows: `sub`, the consumer's id at
LivePerson; `exp`; and `lp.ext.sub`, the brand's customer, present only for an authenticated
consumer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import jwt

EXTERNAL = "lp.ext"


class NotAConsumerToken(ValueError):
    """The IdP's answer does not hold a readable consumer token."""


@dataclass(frozen=True)
class ConsumerToken:
    token: str = field(repr=False)
    consumer_id: str  # `sub`: LivePerson's id of the consumer
    expires_at: int  # `exp`, seconds since the epoch
    customer_id: str | None = None  # `lp.ext.sub`: the brand's customer; None when unauthenticated

    @property
    def authenticated(self) -> bool:
        return self.customer_id is not None

    @classmethod
    def read(cls, token: str) -> ConsumerToken:
        try:
            claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
        except jwt.InvalidTokenError as error:
            raise NotAConsumerToken(f"the consumer token is not a JWT ({error})") from None
        consumer_id, expires_at = claims.get("sub"), claims.get("exp")
        if not isinstance(consumer_id, str) or not isinstance(expires_at, int):
            raise NotAConsumerToken("the consumer token lacks sub or exp")
        external = claims.get(EXTERNAL)
        customer = external.get("sub") if isinstance(external, dict) else None
        return cls(token, consumer_id, expires_at, customer if isinstance(customer, str) else None)
