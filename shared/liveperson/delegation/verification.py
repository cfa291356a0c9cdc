"""The verification link of an unauthenticated conversation ("Consumer Delegation: How It
Works", "Configuration"; "Conversation Builder: Using Consumer Access Tokens"): the brand's
authorization endpoint with `client_id`, `response_type=code`, `scope` and `redirect_uri`, which
is LivePerson's `https://{domain}/callback/{account_id}/redirectCode` (here on `--public-url`),
and `state`.

LivePerson documents only that it "validates state". Here a state is 256 random bits, good for
one use within `LIFETIME`, bound to the conversation, and kept as its SHA-256 only. The link also
carries a PKCE challenge (RFC 7636, S256; LivePerson mentions no PKCE, RFC 9700 §2.1.1 asks every
code flow for it), whose verifier is kept sealed beside the state for the code exchange.

Plain Python: no Flask.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

from shared import contract, pkce
from shared.liveperson.delegation.sealing import Sealer, Unreadable
from shared.liveperson.settings import StandInSettings
from shared.liveperson.store import Store, now
from shared.liveperson.store.models import Verification
from shared.validation.authenticate import Authenticator

LIFETIME = timedelta(minutes=10)


class StateRefused(Exception):
    """The state names no link that may still be followed; `reason` is one of REASONS."""

    REASONS = ("missing", "unknown", "used", "expired")

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Pending:
    """A link followed: the conversation it was made for, and the code exchange's verifier."""

    conversation_id: str
    code_verifier: str = field(repr=False)


class Verifications:
    def __init__(
        self, store: Store, sealer: Sealer, authenticator: Authenticator, settings: StandInSettings
    ) -> None:
        self._store = store
        self._sealer = sealer
        self._authenticator = authenticator
        self._settings = settings

    @property
    def redirect_uri(self) -> str:
        path = contract.DELEGATION_CALLBACK_PATH.format(account=self._settings.account)
        return self._settings.public_url + path

    def link(self, conversation_id: str) -> str | None:
        """A new link for the conversation; None while the brand's authorization endpoint is
        unknown (the brand is not answering discovery)."""
        endpoints = self._authenticator.endpoints()
        if endpoints is None or not endpoints.authorization_endpoint:
            return None
        state = secrets.token_urlsafe(32)
        verifier, challenge = pkce.new_pair()
        self._store.add_verification(
            Verification(
                state_hash=_digest(state),
                conversation_id=conversation_id,
                sealed_verifier=self._sealer.seal({"code_verifier": verifier}),
                expires_at=now() + LIFETIME,
            )
        )
        query = urlencode(
            {
                "client_id": self._settings.validation.client_id,
                "response_type": "code",
                "redirect_uri": self.redirect_uri,
                "scope": self._settings.delegation_scope,
                "state": state,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            }
        )
        separator = "&" if "?" in endpoints.authorization_endpoint else "?"
        return f"{endpoints.authorization_endpoint}{separator}{query}"

    def take(self, state: str | None) -> Pending:
        """The link `state` belongs to, spent; StateRefused saying why when it cannot be."""
        if not state:
            raise StateRefused("missing")
        state_hash = _digest(state)
        taken = self._store.take_verification(state_hash)
        if taken is None:
            known = self._store.verification(state_hash)
            if known is None:
                raise StateRefused("unknown")
            raise StateRefused("used" if known.used_at is not None else "expired")
        try:
            verifier = self._sealer.open(taken.sealed_verifier)["code_verifier"]
        except Unreadable:
            raise StateRefused("unknown") from None
        return Pending(taken.conversation_id, verifier)


def _digest(state: str) -> str:
    return hashlib.sha256(state.encode("utf-8", "surrogatepass")).hexdigest()
