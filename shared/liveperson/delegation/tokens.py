"""The brand's delegated tokens as the stand-in keeps them, and their renewal.

Authenticated conversations ("Consumer Delegation: Introduction", "How It Works", "Settings
Configuration"): when the brand's token endpoint answers Consumer Authentication's code exchange
with a refresh_token too, "the access_token, id_token and the refresh_token are stored within
the context of the consumer id" and saved "as long as the conversation is active"; here, sealed,
until the consumer's conversation closes (or, if none opens, until its session at LivePerson
ends: store/__init__.py). "In case of an expired access_token, and as long as the consumer
session is alive, the refresh_token will be used to renew the access_token": when it has
expired, or will within `margin` of its lifetime, the stand-in refreshes it (RFC 6749 §6; the
client authenticates as for the code exchange) and keeps the refresh token the brand rotates in.
A refusal (the customer or the brand revoked the grant) deletes the tokens; a brand that does not
answer leaves them for the next try. One refresh per consumer at a time: a brand that detects
refresh token reuse (RFC 9700 §4.14.2) revokes the grant when two race with one token.

Unauthenticated conversations (the verification link, `verification.py`): "Access Tokens are
stored within the context of the current conversation and are not shared with other
conversations. Refresh Tokens are ignored and not stored. In case of an expired access token,
the consumer will be re-challenged": an expired one is deleted, and the bot sends a new link.

Each refresh is an exchange the inspector shows, masked like every record.

Plain Python: no Flask.
"""

from __future__ import annotations

import threading
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from shared.liveperson.delegation.sealing import Sealer, Unreadable
from shared.liveperson.exchanges import ExchangeLog
from shared.liveperson.store import Store, now
from shared.liveperson.store.models import ConsumerDelegation, ConversationDelegation
from shared.validation.authenticate import Authenticator, Exchange
from shared.validation.token_exchange import Grant

MAX_MARGIN = timedelta(seconds=30)  # refresh this long before expiry at most...
MARGIN_SHARE = 10  # ...and at most a tenth of the token's lifetime, so a short one is used at all
_LOCKS = 64  # refreshes of different consumers proceed side by side, mostly
_REFUSED = (400, 401)  # RFC 6749 §5.2: the brand answered that the grant is no good


@dataclass(frozen=True)
class Held:
    """Tokens ready to use, and the refresh that renewed them, if one was needed."""

    access_token: str = field(repr=False)
    id_token: str | None = field(repr=False)
    scope: str | None
    refreshed: Exchange | None = None


class RefreshFailed(Exception):
    """A refresh was due and did not succeed; `exchange` says why."""

    def __init__(self, exchange: Exchange) -> None:
        super().__init__((exchange.failure or {}).get("message"))
        self.exchange = exchange


class RefreshRefused(RefreshFailed):
    """The brand refused the refresh token: the tokens are deleted."""


class BrandUnavailable(RefreshFailed):
    """The brand did not answer the refresh: the tokens are kept."""


class DelegatedTokens:
    def __init__(self, store: Store, sealer: Sealer, authenticator: Authenticator, log: ExchangeLog) -> None:
        self._store = store
        self._sealer = sealer
        self._authenticator = authenticator
        self._log = log
        self._locks = [threading.Lock() for _ in range(_LOCKS)]

    # -- authenticated conversations ---------------------------------------------------------

    def keep_for_consumer(self, consumer_id: str, grant: Grant, session_ends_at: datetime) -> None:
        granted = now()
        self._store.keep_consumer_delegation(
            ConsumerDelegation(
                consumer_id=consumer_id,
                sealed=self._sealer.seal(_tokens(grant)),
                scope=grant.scope,
                expires_at=_expiry(grant, granted),
                stored_at=granted,
                session_ends_at=session_ends_at,
            )
        )

    def of_consumer(self, consumer_id: str, renew: bool = False) -> Held | None:
        """The consumer's tokens, refreshed first when due (always when `renew`: the brand
        refused the access token); None when none are kept. RefreshRefused, BrandUnavailable."""
        with self._locks[zlib.crc32(consumer_id.encode()) % _LOCKS]:
            kept = self._store.consumer_delegation(consumer_id)
            if kept is None:
                return None
            try:
                tokens = self._sealer.open(kept.sealed)
            except Unreadable:  # sealed under a key since replaced: as good as gone
                self._store.forget_consumer_delegation(consumer_id)
                return None
            if not renew and not _due(kept.expires_at, kept.stored_at):
                return Held(tokens["access_token"], tokens["id_token"], kept.scope)
            exchange, grant = self._authenticator.refresh(tokens["refresh_token"])
            self._log.record(exchange)
            if grant is None:
                if exchange.http and exchange.http[-1].status in _REFUSED:
                    self._store.forget_consumer_delegation(consumer_id)
                    raise RefreshRefused(exchange)
                raise BrandUnavailable(exchange)
            # §6: the brand may keep the refresh token; a refresh need not carry an id_token.
            renewed = _tokens(grant, tokens)
            granted = now()
            sealed = self._sealer.seal(renewed)
            self._store.renew_consumer_delegation(consumer_id, sealed, _expiry(grant, granted), granted)
            return Held(renewed["access_token"], renewed["id_token"], kept.scope, refreshed=exchange)

    # -- unauthenticated conversations -------------------------------------------------------

    def keep_for_conversation(self, conversation_id: str, grant: Grant) -> bool:
        """The verification link's access token, alone; False when the conversation has closed."""
        granted = now()
        return self._store.keep_conversation_delegation(
            ConversationDelegation(
                conversation_id=conversation_id,
                sealed=self._sealer.seal({"access_token": grant.access_token}),
                scope=grant.scope,
                expires_at=_expiry(grant, granted),
                stored_at=granted,
            )
        )

    def of_conversation(self, conversation_id: str) -> Held | None:
        """The conversation's access token; None when there is none, or it has expired (then the
        customer is asked to verify again)."""
        kept = self._store.conversation_delegation(conversation_id)
        if kept is None:
            return None
        try:
            if _due(kept.expires_at, kept.stored_at):
                raise Unreadable("expired")
            tokens = self._sealer.open(kept.sealed)
        except Unreadable:
            self._store.forget_conversation_delegation(conversation_id)
            return None
        return Held(tokens["access_token"], None, kept.scope)


def _tokens(grant: Grant, before: dict[str, str | None] | None = None) -> dict[str, str | None]:
    """What is sealed: the grant's tokens, each missing one kept from `before`."""
    before = before or {}
    return {
        "access_token": grant.access_token,
        "refresh_token": grant.refresh_token or before.get("refresh_token"),
        "id_token": grant.id_token or before.get("id_token"),
    }


def _expiry(grant: Grant, granted: datetime) -> datetime | None:
    return None if grant.expires_in is None else granted + timedelta(seconds=grant.expires_in)


def _due(expires_at: datetime | None, stored_at: datetime) -> bool:
    """Expired, or about to: within a tenth of its lifetime, 30 s at most. A token without a
    known expiry is used until the brand refuses it."""
    if expires_at is None:
        return False
    margin = min(MAX_MARGIN, (expires_at - stored_at) / MARGIN_SHARE)
    return now() >= expires_at - margin
