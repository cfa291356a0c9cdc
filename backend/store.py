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
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import Boolean, Engine, Row, Update, and_, bindparam, exists, or_, select, update
from sqlalchemy.exc import CompileError, DBAPIError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from backend.db import get_db
from backend.models import AuthorizationCode, Client
from backend.models.base import UTCDateTime
from backend.protocol.redirection import LEGACY_CONNECTOR
from backend.protocol.storage import ConsumedCode, NewCode, Redemption
from shared import pkce

_CODE = AuthorizationCode.__table__.c
# What the exchange needs from the code's row to write the id_token.
_TOKEN_INPUTS = (_CODE.claims, _CODE.nonce, _CODE.auth_time)


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


class SqlStore:
    """`GrantStore` on the request's session (`db`) and the autocommit engine (`autocommit`),
    which runs the consuming UPDATE as its own transaction."""

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
        return None if row is None else ConsumedCode(row.claims, row.nonce, row.auth_time)

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

    def revoke_tokens(self, code_hash: str, at: datetime) -> None:
        code = self._db.get(AuthorizationCode, code_hash)
        if code is not None and code.access_token_revoked_at is None:
            code.access_token_revoked_at = at
            self._db.commit()

    def find_access_token(self, token_hash: str) -> AuthorizationCode | None:
        """The code an access token was issued from (the row holds both), for userinfo."""
        return self._db.scalar(
            select(AuthorizationCode).where(AuthorizationCode.access_token_hash == token_hash)
        )


def current() -> SqlStore:
    """The store of the current request."""
    return SqlStore(get_db(), current_app.extensions["db_autocommit"])
