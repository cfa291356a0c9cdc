"""The protocol's storage hooks (`backend/protocol/storage.py`) on the backend's database.

Consuming a code is ONE statement: a conditional `UPDATE ... RETURNING` with every binding in
its `WHERE` (code, client and secret, redirect URI, expiry, PKCE proof, not yet used), which
also stores the access token. Of concurrent redemptions exactly one matches, on SQLite and on
PostgreSQL. It runs on the autocommit engine: one round trip, with no BEGIN or COMMIT to send
and no liveness ping before it, so a connection dropped by a database restart is recovered
from here (`_consume`).

The redirect URI is the code's own, or, for a client of LivePerson's legacy connector, any URI
registered for the client (`protocol/redirection.py`): the same statement looks it up in the
client's JSON list (`_listed`, written for each of the two databases), so the exchange stays
one statement for every client.

A refresh (`rotate_refresh_token`) is one conditional `UPDATE ... RETURNING` too, with every
condition in its `WHERE` (token, client and secret, expiry, unspent, grant unrevoked), and the
`INSERT` of the successor in the same transaction: of concurrent refreshes exactly one matches,
and none leaves a token spent without its successor. A grant's revocation is one row, the
code's (`revoke_grant`), which every token of the grant answers to; so a successor stored while
the grant is revoked is revoked with it.

The account page's queries (`access_granted`, `withdraw`) and the consents are here as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import (
    Boolean,
    Engine,
    Row,
    Update,
    and_,
    bindparam,
    delete,
    exists,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import CompileError, DBAPIError, IntegrityError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from backend.db import get_db
from backend.models import AuthorizationCode, Client, Consent, RefreshToken
from backend.models.base import UTCDateTime
from backend.protocol import delegation
from backend.protocol.redirection import LEGACY_CONNECTOR
from backend.protocol.storage import (
    ConsumedCode,
    NewCode,
    NewRefreshToken,
    Redemption,
    Refreshing,
    Rotated,
    StoredAccessToken,
    StoredRefreshToken,
)
from shared import pkce

_CODE = AuthorizationCode.__table__.c
_REFRESH = RefreshToken.__table__.c
# What the exchange needs from the code's row to write the tokens.
_TOKEN_INPUTS = (_CODE.code_hash, _CODE.claims, _CODE.nonce, _CODE.auth_time, _CODE.scope,
                 _CODE.user_id)


class _listed(FunctionElement[bool]):
    """`_listed(array, value)`: the JSON array of strings `array` holds `value`. JSON has no
    portable "contains" in SQL, so each database gets its own form of the same subquery."""

    type = Boolean()
    name = "listed"
    inherit_cache = True


def _listed_arguments(element: _listed, compiler: SQLCompiler, **kw: Any) -> list[str]:
    return [compiler.process(argument, **kw) for argument in element.clauses]


@compiles(_listed, "sqlite")
def _listed_sqlite(element: _listed, compiler: SQLCompiler, **kw: Any) -> str:
    array, value = _listed_arguments(element, compiler, **kw)
    # Both operands are compiled SQL (a column and a bound parameter), never a value.
    return f"EXISTS (SELECT 1 FROM json_each({array}) AS listed WHERE listed.value = {value})"  # noqa: S608


@compiles(_listed, "postgresql")
def _listed_postgresql(element: _listed, compiler: SQLCompiler, **kw: Any) -> str:
    array, value = _listed_arguments(element, compiler, **kw)
    return (f"EXISTS (SELECT 1 FROM json_array_elements_text({array}) AS listed(value) "  # noqa: S608
            f"WHERE listed.value = {value})")


@compiles(_listed)
def _listed_elsewhere(element: _listed, compiler: SQLCompiler, **kw: Any) -> str:
    raise CompileError(f"No JSON array lookup written for {compiler.dialect.name}.")


def _consume_statement(with_verifier: bool) -> Update:
    client = Client.__table__.c
    now = bindparam("now", type_=UTCDateTime())
    redirect = bindparam("redirect")
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
            or_(
                _CODE.redirect_uri == redirect,
                exists().where(
                    client.client_id == bindparam("client"),
                    client.liveperson_connector == LEGACY_CONNECTOR,
                    _listed(client.redirect_uris, redirect),
                ),
            ),
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


def _rotate_statement() -> Update:
    client = Client.__table__.c
    now = bindparam("now", type_=UTCDateTime())
    return (
        update(RefreshToken.__table__)
        .where(
            _REFRESH.token_hash == bindparam("token"),
            _REFRESH.client_id == bindparam("client"),
            _REFRESH.used_at.is_(None),
            _REFRESH.expires_at > now,
            # The grant is revoked on its code's row (models/refresh_token.py).
            exists().where(_CODE.code_hash == _REFRESH.code_hash, _CODE.revoked_at.is_(None)),
            exists().where(
                client.client_id == bindparam("client"),
                client.secret_hash == bindparam("secret"),
            ),
        )
        .values(used_at=now)
        .returning(_REFRESH.code_hash, _REFRESH.user_id, _REFRESH.scope)
    )


_ROTATE = _rotate_statement()


@dataclass(frozen=True)
class ClientAccess:
    """A client that may act for a customer at the brand's API, as the account page lists it."""

    client_id: str
    name: str
    scopes: list[str]


class SqlStore:
    """`GrantStore` on the request's session (`db`) and the autocommit engine (`autocommit`),
    which runs the consuming UPDATE as its own transaction; the consents and the account
    page's queries as well."""

    def __init__(self, db: Session, autocommit: Engine) -> None:
        self._db = db
        self._autocommit = autocommit

    def find_client(self, client_id: str) -> Client | None:
        return self._db.get(Client, client_id)

    def save_code(self, code: NewCode) -> None:
        self._db.add(AuthorizationCode(
            code_hash=code.code_hash,
            client_id=code.client_id,
            user_id=code.user_id,
            redirect_uri=code.redirect_uri,
            scope=code.scope,
            claims=code.claims,
            nonce=code.nonce,
            code_challenge=code.code_challenge,
            code_challenge_method=code.code_challenge_method,
            auth_time=code.auth_time,
            expires_at=code.expires_at,
        ))
        self._db.commit()

    def consume_code(self, redemption: Redemption) -> ConsumedCode | None:
        parameters = {
            "code": redemption.code_hash,
            "client": redemption.client_id,
            "secret": redemption.secret_hash,
            "redirect": redemption.redirect_uri,
            "now": redemption.now,
            "token": redemption.access_token_hash,
            "token_expiry": redemption.access_token_expires_at,
        }
        if redemption.challenges is not None:
            parameters |= redemption.challenges
        row = self._consume(_CONSUME[redemption.challenges is not None], parameters)
        if row is None:
            return None
        return ConsumedCode(row.code_hash, row.claims, row.nonce, row.auth_time, row.scope,
                            row.user_id)

    def _consume(self, statement: Update, parameters: dict[str, Any]) -> Row[Any] | None:
        """Run the consuming UPDATE. Pooled connections are not pinged first (a round trip per
        exchange), so after a database restart one may be dead: then whether the UPDATE ran is
        unknown, and the access token it would have stored tells, on a fresh connection."""
        try:
            with self._autocommit.connect() as connection:
                return connection.execute(statement, parameters).first()
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
        with self._autocommit.connect() as connection:
            stored = select(*_TOKEN_INPUTS).where(_CODE.access_token_hash == parameters["token"])
            return connection.execute(stored).first() or connection.execute(statement, parameters).first()

    def find_code(self, code_hash: str) -> AuthorizationCode | None:
        return self._db.get(AuthorizationCode, code_hash)

    def save_refresh_token(self, token: NewRefreshToken) -> None:
        self._db.add(RefreshToken(
            token_hash=token.token_hash,
            code_hash=token.code_hash,
            client_id=token.client_id,
            user_id=token.user_id,
            scope=token.scope,
            expires_at=token.expires_at,
        ))
        self._db.commit()

    def rotate_refresh_token(self, refreshing: Refreshing) -> Rotated | None:
        spent = self._db.execute(_ROTATE, {
            "token": refreshing.token_hash,
            "client": refreshing.client_id,
            "secret": refreshing.secret_hash,
            "now": refreshing.now,
        }).first()
        if spent is None:
            self._db.rollback()
            return None
        self._db.execute(insert(RefreshToken.__table__).values(
            token_hash=refreshing.successor_hash,
            code_hash=spent.code_hash,
            client_id=refreshing.client_id,
            user_id=spent.user_id,
            scope=spent.scope,
            expires_at=refreshing.successor_expires_at,
            access_token_hash=refreshing.access_token_hash,
            access_token_scope=refreshing.access_token_scope or spent.scope,
            access_token_expires_at=refreshing.access_token_expires_at,
        ))
        self._db.commit()
        return Rotated(spent.scope)

    def find_refresh_token(self, token_hash: str) -> StoredRefreshToken | None:
        # A query, not the session's identity map: a refusal reads what the refresh just met.
        row = self._db.execute(
            select(_REFRESH.code_hash, _REFRESH.client_id, _REFRESH.scope, _REFRESH.expires_at,
                   _REFRESH.used_at, _CODE.revoked_at)
            .join_from(RefreshToken.__table__, AuthorizationCode.__table__)
            .where(_REFRESH.token_hash == token_hash)
        ).first()
        if row is None:
            return None
        return StoredRefreshToken(row.code_hash, row.client_id, row.scope, row.expires_at,
                                  row.used_at, row.revoked_at)

    def revoke_grant(self, code_hash: str, at: datetime) -> None:
        self._db.execute(
            update(AuthorizationCode)
            .where(AuthorizationCode.code_hash == code_hash, AuthorizationCode.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        self._db.commit()

    def find_access_token(self, token_hash: str) -> StoredAccessToken | None:
        """Issued by a code exchange (on the code's row) or by a refresh (on the successor's)."""
        code = self._db.scalar(
            select(AuthorizationCode).where(AuthorizationCode.access_token_hash == token_hash)
        )
        if code is not None:
            return StoredAccessToken(
                code.client_id, code.user_id, code.user, code.scope.split(),
                code.access_token_expires_at, code.access_token_revoked_at or code.revoked_at,
            )
        found = self._db.execute(
            select(RefreshToken, _CODE.revoked_at)
            .join_from(RefreshToken, AuthorizationCode.__table__)
            .where(RefreshToken.access_token_hash == token_hash)
        ).first()
        if found is None:
            return None
        token, grant_revoked_at = found
        return StoredAccessToken(
            token.client_id, token.user_id, token.user,
            (token.access_token_scope or "").split(), token.access_token_expires_at,
            token.access_token_revoked_at or grant_revoked_at,
        )

    def revoke_access_token(self, token_hash: str, at: datetime) -> None:
        for model in (AuthorizationCode, RefreshToken):
            self._db.execute(
                update(model)
                .where(model.access_token_hash == token_hash, model.access_token_revoked_at.is_(None))
                .values(access_token_revoked_at=at)
            )
        self._db.commit()

    def find_consent(self, user_id: int, client_id: str) -> list[str]:
        """The API scopes the customer allowed the client."""
        consent = self._db.get(Consent, (user_id, client_id))
        return [] if consent is None else consent.scope.split()

    def save_consent(self, user_id: int, client_id: str, scopes: list[str], at: datetime) -> None:
        """Remember that the customer allowed the client `scopes`, beside what they allowed before."""
        try:
            self._merge_consent(user_id, client_id, scopes, at)
        except IntegrityError:
            # A second Allow of the same page (a double click) stored the consent meanwhile.
            self._db.rollback()
            self._merge_consent(user_id, client_id, scopes, at)

    def _merge_consent(self, user_id: int, client_id: str, scopes: list[str], at: datetime) -> None:
        consent = self._db.get(Consent, (user_id, client_id))
        if consent is None:
            self._db.add(Consent(user_id=user_id, client_id=client_id, scope=" ".join(scopes),
                                 granted_at=at))
        else:
            kept = consent.scope.split()
            consent.scope = " ".join([*kept, *(scope for scope in scopes if scope not in kept)])
            consent.granted_at = at
        self._db.commit()

    def access_granted(self, user_id: int, now: datetime) -> list[ClientAccess]:
        """The clients that may act for the customer at the brand's API: those the customer
        allowed, and those holding a live refresh token (a first-party client is never asked)."""
        scopes: dict[str, list[str]] = {}
        for consent in self._db.scalars(select(Consent).where(Consent.user_id == user_id)):
            scopes[consent.client_id] = consent.scope.split()
        live = self._db.execute(
            select(_REFRESH.client_id, _REFRESH.scope)
            .join_from(RefreshToken.__table__, AuthorizationCode.__table__)
            .where(_REFRESH.user_id == user_id, _REFRESH.used_at.is_(None),
                   _REFRESH.expires_at > now, _CODE.revoked_at.is_(None))
        )
        for client_id, scope in live:
            held = scopes.setdefault(client_id, [])
            held += [api_scope for api_scope in delegation.delegated(scope.split()) if api_scope not in held]
        clients = {client.client_id: client for client in self._db.scalars(
            select(Client).where(Client.client_id.in_(scopes))
        )}
        return [ClientAccess(client_id, clients[client_id].display_name, held)
                for client_id, held in sorted(scopes.items())]

    def withdraw(self, user_id: int, client_id: str, at: datetime) -> None:
        """The customer takes back what they allowed the client: the consent, and every grant
        with a refresh token family, its refresh and access tokens."""
        self._db.execute(delete(Consent).where(Consent.user_id == user_id,
                                               Consent.client_id == client_id))
        self._db.execute(
            update(AuthorizationCode)
            .where(AuthorizationCode.user_id == user_id, AuthorizationCode.client_id == client_id,
                   AuthorizationCode.revoked_at.is_(None),
                   exists().where(_REFRESH.code_hash == AuthorizationCode.code_hash))
            .values(revoked_at=at)
        )
        self._db.commit()


def current() -> SqlStore:
    """The store of the current request."""
    return SqlStore(get_db(), current_app.extensions["db_autocommit"])
