"""The authorization code grant: RFC 6749 §4.1, with OpenID Connect Core 1.0 §3.1.3.

Issuing (§4.1.2): 256-bit codes, stored only as a hash, bound to client, redirect URI, user,
scope, nonce and PKCE challenge, valid for CODE_LIFETIME seconds.
Redeeming (§4.1.3): one atomic step of the store (`GrantStore.consume_code`) checks every
binding (client and secret, redirect URI, expiry, PKCE, not yet used), consumes the code and
stores the access token, so that of concurrent redemptions exactly one succeeds. The redirect
URI is the code's own, or for a client of LivePerson's legacy connector any URI registered
for it (`redirection.token_accepts`). When the step matches nothing, the request is refused
with the reason, found by reading; nothing is changed, except that reuse revokes every token
issued from the code (§4.1.2, §10.5).
The response names the granted `scope` (§5.1). A grant that holds an API scope of the brand's
(`delegation.py`) also gets a refresh token (§1.5), the first of its family (`refresh_grant.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn, Protocol

from backend.protocol import client_auth, delegation, id_token, pkce, redirection
from backend.protocol.bearer import digest, new_secret
from backend.protocol.client_auth import ClientCredentials
from backend.protocol.errors import invalid_grant, invalid_request
from backend.protocol.id_token import IssuerKey, Subject
from backend.protocol.storage import (
    GrantStore,
    NewCode,
    NewRefreshToken,
    Redemption,
    RegisteredClient,
)
from shared.pkce import METHODS, challenge_of, verifier_well_formed


class Customer(Subject, Protocol):
    id: int  # what the store binds the code to


@dataclass(frozen=True)
class Lifetimes:
    code: int
    access_token: int
    id_token: int
    refresh_token: int


def issue_code(
    store: GrantStore,
    *,
    client: RegisteredClient,
    user: Customer,
    redirect_uri: str,
    scopes: list[str],
    auth_time: datetime,
    lifetime: int,
    nonce: str | None = None,
    code_challenge: str | None = None,
    code_challenge_method: str | None = None,
) -> str:
    code = new_secret()
    store.save_code(NewCode(
        code_hash=digest(code),
        client_id=client.client_id,
        user_id=user.id,
        redirect_uri=redirect_uri,
        scope=" ".join(scopes),
        claims=id_token.subject_claims(user, scopes),
        auth_time=auth_time,
        expires_at=datetime.now(UTC) + timedelta(seconds=lifetime),
        nonce=nonce,
        code_challenge=code_challenge,
        code_challenge_method=code_challenge_method,
    ))
    return code


def redeem(
    store: GrantStore,
    *,
    credentials: ClientCredentials,
    form: Mapping[str, str],
    issuer: str,
    key: IssuerKey,
    lifetimes: Lifetimes,
) -> dict[str, Any]:
    """Exchange a code for tokens; returns the §5.1 response body. `key` is fetched by the
    caller before the code is consumed: a missing key then changes nothing."""
    code = form.get("code")
    redirect_uri = form.get("redirect_uri")
    verifier = form.get("code_verifier")
    now = datetime.now(UTC)
    access_token = new_secret()
    grant = None
    if code is not None and redirect_uri is not None and (verifier is None or verifier_well_formed(verifier)):
        grant = store.consume_code(Redemption(
            code_hash=digest(code),
            client_id=credentials.client_id,
            secret_hash=digest(credentials.client_secret),
            redirect_uri=redirect_uri,
            now=now,
            challenges=None if verifier is None else {
                method: challenge_of(verifier, method) for method in METHODS
            },
            access_token_hash=digest(access_token),
            access_token_expires_at=now + timedelta(seconds=lifetimes.access_token),
        ))
    if grant is None:
        _refuse(store, credentials, code, redirect_uri, verifier, now)
    response = {
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": lifetimes.access_token,
        "scope": grant.scope,
        "id_token": id_token.issue(
            issuer=issuer,
            subject=grant.claims,
            client_id=credentials.client_id,
            auth_time=grant.auth_time,
            lifetime=lifetimes.id_token,
            key=key,
            now=now,
            nonce=grant.nonce,
        ),
    }
    if delegation.delegated(grant.scope.split()):
        refresh_token = new_secret()
        store.save_refresh_token(NewRefreshToken(
            token_hash=digest(refresh_token),
            code_hash=grant.code_hash,
            client_id=credentials.client_id,
            user_id=grant.user_id,
            scope=grant.scope,
            expires_at=now + timedelta(seconds=lifetimes.refresh_token),
        ))
        response["refresh_token"] = refresh_token
    return response


def _refuse(store: GrantStore, credentials: ClientCredentials, code: str | None,
            redirect_uri: str | None, verifier: str | None, now: datetime) -> NoReturn:
    """Why the code was not redeemed, raised as the §5.2 error; client authentication first."""
    client = client_auth.authenticate(store, credentials)
    if code is None:
        raise invalid_request("The parameter 'code' is required.")
    if redirect_uri is None:
        raise invalid_request("The parameter 'redirect_uri' is required (RFC 6749 §4.1.3).")
    code_hash = digest(code)
    stored = store.find_code(code_hash)
    # A foreign client learns nothing, and the owner's code stays usable.
    if stored is None or stored.client_id != client.client_id:
        raise invalid_grant("The authorization code is not valid for this client.")
    if stored.consumed_at is not None:
        store.revoke_grant(code_hash, now)
        raise invalid_grant("The authorization code was already used; its tokens are revoked.")
    if stored.expires_at <= now:
        raise invalid_grant("The authorization code has expired.")
    if not redirection.token_accepts(client, stored.redirect_uri, redirect_uri):
        if redirection.is_legacy(client):
            raise invalid_grant("redirect_uri is neither the one the code was issued for nor "
                                "one registered for the client.")
        raise invalid_grant("redirect_uri differs from the one the code was issued for.")
    pkce.verify(verifier, stored.code_challenge, stored.code_challenge_method)
    # Every binding holds on a second look: the row changed between the two reads.
    raise invalid_grant("The authorization code could not be redeemed; ask for a new one.")
