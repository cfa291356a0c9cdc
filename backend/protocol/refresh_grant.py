"""The refresh token grant: RFC 6749 §6, with the rotation and reuse detection of RFC 9700
§4.14.2 (and §2.2.2).

A delegated grant's code exchange returns the first refresh token (`code_grant.py`): 256 bits,
stored only as a hash, bound to the client, valid REFRESH_TOKEN_LIFETIME seconds.

Refreshing is one atomic step of the store (`GrantStore.rotate_refresh_token`): it checks the
token, the client and its secret, expiry, that the token is unspent and its grant unrevoked,
spends the token and stores its successor with the new access token; of concurrent refreshes
with one token exactly one succeeds. Every answer carries the successor (rotation), valid for
the lifetime again, so a family lives as long as it is used.

A spent token presented again means that two parties hold the family: the whole grant is
revoked, every refresh token and access token issued from its code (RFC 9700 §4.14.2). There
is no grace period: two refreshes racing with one token revoke the grant too.

`scope` may narrow the new access token, never widen it (§6: `invalid_scope`); the successor
keeps the grant's scope (§6: "identical"). No id_token: OpenID Connect Core §12.2 lets the
answer leave it out, and a refresh renews access to the brand's API, not the customer's
identity, which LivePerson proves with a new code.

When the step matches nothing, the reason is found by reading, and nothing is written except
that reuse revokes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn

from backend.protocol import client_auth
from backend.protocol.bearer import digest, new_secret
from backend.protocol.client_auth import ClientCredentials
from backend.protocol.code_grant import Lifetimes
from backend.protocol.errors import invalid_grant, invalid_request, invalid_scope
from backend.protocol.storage import GrantStore, Refreshing


def narrowed(granted: str, requested: str) -> str | None:
    """§6: the requested scope, in the grant's order, if it asks for nothing the grant lacks."""
    asked = set(requested.split())
    if not asked <= set(granted.split()):
        return None
    return " ".join(scope for scope in granted.split() if scope in asked)


def refresh(
    store: GrantStore,
    *,
    credentials: ClientCredentials,
    form: Mapping[str, str],
    lifetimes: Lifetimes,
) -> dict[str, Any]:
    """Exchange a refresh token for a new access token and its successor; the §5.1 body."""
    token = form.get("refresh_token")
    requested = form.get("scope")
    now = datetime.now(UTC)
    access_scope = None
    if token is not None and requested is not None:
        # Only a narrowing needs the grant's scope first: it never changes, so reading it
        # before the atomic step leaves nothing to race.
        stored = store.find_refresh_token(digest(token))
        access_scope = None if stored is None else narrowed(stored.scope, requested)
        if access_scope is None:
            _refuse(store, credentials, token, requested, now)
    successor = new_secret()
    access_token = new_secret()
    rotated = None
    if token is not None:
        rotated = store.rotate_refresh_token(Refreshing(
            token_hash=digest(token),
            client_id=credentials.client_id,
            secret_hash=digest(credentials.client_secret),
            now=now,
            successor_hash=digest(successor),
            successor_expires_at=now + timedelta(seconds=lifetimes.refresh_token),
            access_token_hash=digest(access_token),
            access_token_expires_at=now + timedelta(seconds=lifetimes.access_token),
            access_token_scope=access_scope,
        ))
    if rotated is None:
        _refuse(store, credentials, token, requested, now)
    return {
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": lifetimes.access_token,
        "refresh_token": successor,
        "scope": access_scope or rotated.scope,
    }


def _refuse(store: GrantStore, credentials: ClientCredentials, token: str | None,
            requested: str | None, now: datetime) -> NoReturn:
    """Why the token was not refreshed, raised as the §5.2 error; client authentication first."""
    client = client_auth.authenticate(store, credentials)
    if token is None:
        raise invalid_request("The parameter 'refresh_token' is required (RFC 6749 §6).")
    stored = store.find_refresh_token(digest(token))
    # A foreign client learns nothing, and the owner's token stays usable.
    if stored is None or stored.client_id != client.client_id:
        raise invalid_grant("The refresh token is not valid for this client.")
    if stored.grant_revoked_at is not None:
        raise invalid_grant("The refresh token was revoked.")
    if stored.used_at is not None:
        store.revoke_grant(stored.code_hash, now)
        raise invalid_grant("The refresh token was already used, so another party holds it: every "
                            "token of its grant is revoked (RFC 9700 §4.14.2). Ask the customer "
                            "to log in again.")
    if stored.expires_at <= now:
        raise invalid_grant("The refresh token has expired.")
    if requested is not None and narrowed(stored.scope, requested) is None:
        raise invalid_scope(f"The scope may only narrow the grant's, {stored.scope!r} (RFC 6749 §6).")
    # Every condition holds on a second look: the row changed between the two reads.
    raise invalid_grant("The refresh token could not be used; try again.")
