"""The authorization code grant: RFC 6749 §4.1, with OpenID Connect Core 1.0 §3.1.3.

Issuing (§4.1.2): 256-bit codes, stored only as a hash, bound to client, redirect URI, user,
scope, nonce and PKCE challenge, valid for CODE_LIFETIME seconds.
Redeeming (§4.1.3): one conditional UPDATE checks every binding (client and secret, redirect
URI, expiry, PKCE, not yet used), consumes the code and stores the access token: one database
round trip, and of concurrent redemptions exactly one matches. When it matches nothing, the
request is refused with the reason, found by reading; nothing is changed, except that reuse
revokes the access token issued from the code (§4.1.2, §10.5).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NoReturn

from sqlalchemy import Engine, Row, Update, and_, bindparam, exists, or_, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from backend.keys import KeyRing
from backend.models import AuthorizationCode, Client, User
from backend.models.base import UTCDateTime, digest, new_secret, utcnow
from backend.protocol import client_auth, id_token, pkce
from backend.protocol.client_auth import ClientCredentials
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
            claims=id_token.subject_claims(user, scopes),
            nonce=nonce,
            code_challenge=code_challenge,
            code_challenge_method=code_challenge_method,
            auth_time=auth_time,
            expires_at=utcnow() + timedelta(seconds=lifetime),
        )
    )
    db.commit()
    return code


_CODE = AuthorizationCode.__table__.c
# What the exchange needs from the code's row to write the id_token.
_TOKEN_INPUTS = (_CODE.claims, _CODE.nonce, _CODE.auth_time)


def _consume_statement(with_verifier: bool) -> Update:
    client = Client.__table__.c
    now = bindparam("now", type_=UTCDateTime())
    if with_verifier:
        proof = or_(*(
            and_(_CODE.code_challenge_method == method, _CODE.code_challenge == bindparam(method))
            for method in pkce.METHODS
        ))
    else:
        proof = _CODE.code_challenge.is_(None)
    return (
        update(AuthorizationCode.__table__)
        .where(
            _CODE.code_hash == bindparam("code"),
            _CODE.client_id == bindparam("client"),
            _CODE.redirect_uri == bindparam("redirect"),
            _CODE.consumed_at.is_(None),
            _CODE.expires_at > now,
            proof,
            # Secret hashes compared in SQL: timing could reveal a hash prefix, which gives
            # nothing towards a 256-bit preimage.
            exists().where(
                client.client_id == bindparam("client"),
                client.secret_hash == bindparam("secret"),
            ),
        )
        .values(
            consumed_at=now,
            access_token_hash=bindparam("token"),
            access_token_expires_at=bindparam("token_expiry", type_=UTCDateTime()),
        )
        .returning(*_TOKEN_INPUTS)
    )


# Built once: SQLAlchemy caches their compiled form, so a request only binds values.
_CONSUME = {with_verifier: _consume_statement(with_verifier) for with_verifier in (False, True)}


def redeem(
    db: Session,
    *,
    autocommit: Engine,
    credentials: ClientCredentials,
    form: Mapping[str, str],
    issuer: str,
    keyring: KeyRing,
    lifetimes: Lifetimes,
) -> dict[str, Any]:
    """Exchange a code for tokens; returns the §5.1 response body. `autocommit` is the engine
    in AUTOCOMMIT mode: the UPDATE is its own transaction, with no BEGIN or COMMIT to send."""
    code = form.get("code")
    redirect_uri = form.get("redirect_uri")
    verifier = form.get("code_verifier")
    key = keyring.signing_key(db)  # before the code is consumed: a missing key changes nothing
    now = utcnow()
    access_token = new_secret()
    grant = None
    if code is not None and redirect_uri is not None and (verifier is None or pkce.well_formed(verifier)):
        parameters = {
            "code": digest(code),
            "client": credentials.client_id,
            "secret": digest(credentials.client_secret),
            "redirect": redirect_uri,
            "now": now,
            "token": digest(access_token),
            "token_expiry": now + timedelta(seconds=lifetimes.access_token),
        }
        if verifier is not None:
            parameters |= {method: pkce.challenge_of(verifier, method) for method in pkce.METHODS}
        grant = _consume(autocommit, _CONSUME[verifier is not None], parameters)
    if grant is None:
        _refuse(db, credentials, code, redirect_uri, verifier, now)
    claims = id_token.claims(
        issuer=issuer,
        subject=grant.claims,
        client_id=credentials.client_id,
        auth_time=grant.auth_time,
        now=now,
        lifetime=lifetimes.id_token,
        nonce=grant.nonce,
    )
    return {
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": lifetimes.access_token,
        "id_token": id_token.sign(claims, key),
    }


def _consume(autocommit: Engine, statement: Update, parameters: dict[str, Any]) -> Row[Any] | None:
    """Run the consuming UPDATE. Pooled connections are not pinged first (a round trip per
    exchange), so after a database restart one may be dead: then whether the UPDATE ran is
    unknown, and the access token it would have stored tells, on a fresh connection."""
    try:
        with autocommit.connect() as connection:
            return connection.execute(statement, parameters).first()
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
    with autocommit.connect() as connection:
        stored = select(*_TOKEN_INPUTS).where(_CODE.access_token_hash == parameters["token"])
        return connection.execute(stored).first() or connection.execute(statement, parameters).first()


def _refuse(db: Session, credentials: ClientCredentials, code: str | None, redirect_uri: str | None,
            verifier: str | None, now: datetime) -> NoReturn:
    """Why the code was not redeemed, raised as the §5.2 error; client authentication first."""
    client = client_auth.authenticate(db, credentials)
    if code is None:
        raise invalid_request("The parameter 'code' is required.")
    if redirect_uri is None:
        raise invalid_request("The parameter 'redirect_uri' is required (RFC 6749 §4.1.3).")
    grant = db.get(AuthorizationCode, digest(code))
    # A foreign client learns nothing, and the owner's code stays usable.
    if grant is None or grant.client_id != client.client_id:
        raise invalid_grant("The authorization code is not valid for this client.")
    if grant.consumed_at is not None:
        grant.access_token_revoked_at = grant.access_token_revoked_at or now
        db.commit()
        raise invalid_grant("The authorization code was already used; its tokens are revoked.")
    if grant.expires_at <= now:
        raise invalid_grant("The authorization code has expired.")
    if redirect_uri != grant.redirect_uri:
        raise invalid_grant("redirect_uri differs from the one the code was issued for.")
    pkce.verify(verifier, grant.code_challenge, grant.code_challenge_method)
    # Every binding holds on a second look: the row changed between the two reads.
    raise invalid_grant("The authorization code could not be redeemed; ask for a new one.")
