"""The authorization code grant: RFC 6749 §4.1, with OpenID Connect Core 1.0 §3.1.3.

Issuing (§4.1.2): 256-bit codes, stored only as a hash, bound to client, redirect URI, user,
scope, nonce and PKCE challenge, valid for CODE_LIFETIME seconds.
Redeeming (§4.1.3): every binding checked first (so bad input changes nothing), then one
conditional UPDATE consumes the code; of concurrent redemptions exactly one wins. Reuse is
answered with invalid_grant and revokes every token issued from the code (§4.1.2, §10.5).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from backend.keys import KeyRing
from backend.models import AccessToken, AuthorizationCode, Client, User
from backend.models.base import digest, new_secret, utcnow
from backend.protocol import id_token, pkce
from backend.protocol.errors import invalid_grant, invalid_request


@dataclass(frozen=True)
class Lifetimes:
    code: int
    access_token: int
    id_token: int


def issue_code(
    db: Session,
    *,
    client: Client,
    user: User,
    redirect_uri: str,
    scopes: list[str],
    auth_time: datetime,
    lifetime: int,
    nonce: str | None = None,
    code_challenge: str | None = None,
    code_challenge_method: str | None = None,
) -> str:
    code = new_secret()
    db.add(
        AuthorizationCode(
            code_hash=digest(code),
            client_id=client.client_id,
            user_id=user.id,
            redirect_uri=redirect_uri,
            scope=" ".join(scopes),
            nonce=nonce,
            code_challenge=code_challenge,
            code_challenge_method=code_challenge_method,
            auth_time=auth_time,
            expires_at=utcnow() + timedelta(seconds=lifetime),
        )
    )
    db.commit()
    return code


def redeem(
    db: Session,
    *,
    client: Client,
    form: Mapping[str, str],
    issuer: str,
    keyring: KeyRing,
    lifetimes: Lifetimes,
) -> dict[str, Any]:
    """Exchange a code for tokens; returns the §5.1 response body."""
    code = form.get("code")
    redirect_uri = form.get("redirect_uri")
    if code is None:
        raise invalid_request("The parameter 'code' is required.")
    if redirect_uri is None:
        raise invalid_request("The parameter 'redirect_uri' is required (RFC 6749 §4.1.3).")
    code_hash = digest(code)
    grant = db.get(AuthorizationCode, code_hash)
    # A foreign client learns nothing, and the owner's code stays usable.
    if grant is None or grant.client_id != client.client_id:
        raise invalid_grant("The authorization code is not valid for this client.")
    now = utcnow()
    if grant.consumed_at is not None:
        _revoke_tokens_from(db, code_hash, now)
        raise invalid_grant("The authorization code was already used; its tokens are revoked.")
    if grant.expires_at <= now:
        raise invalid_grant("The authorization code has expired.")
    if redirect_uri != grant.redirect_uri:
        raise invalid_grant("redirect_uri differs from the one the code was issued for.")
    pkce.verify(form.get("code_verifier"), grant.code_challenge, grant.code_challenge_method)

    consumed = db.execute(
        update(AuthorizationCode)
        .where(AuthorizationCode.code_hash == code_hash, AuthorizationCode.consumed_at.is_(None))
        .values(consumed_at=now)
    )
    if consumed.rowcount != 1:  # type: ignore[attr-defined]
        db.rollback()  # a concurrent redemption won
        _revoke_tokens_from(db, code_hash, now)
        raise invalid_grant("The authorization code was already used; its tokens are revoked.")

    access_token = new_secret()
    db.add(
        AccessToken(
            token_hash=digest(access_token),
            client_id=client.client_id,
            user_id=grant.user_id,
            scope=grant.scope,
            code_hash=code_hash,
            expires_at=now + timedelta(seconds=lifetimes.access_token),
        )
    )
    claims = id_token.claims(
        issuer=issuer,
        user=grant.user,
        client_id=client.client_id,
        scopes=grant.scope.split(),
        auth_time=grant.auth_time,
        now=now,
        lifetime=lifetimes.id_token,
        nonce=grant.nonce,
    )
    signed = id_token.sign(claims, keyring.signing_key(db))
    db.commit()
    return {
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": lifetimes.access_token,
        "id_token": signed,
    }


def _revoke_tokens_from(db: Session, code_hash: str, now: datetime) -> None:
    db.execute(
        update(AccessToken)
        .where(AccessToken.code_hash == code_hash, AccessToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    db.commit()
