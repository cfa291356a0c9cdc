"""Database access: one SQLAlchemy engine per app, one session per request (`get_db()`)."""

from __future__ import annotations

import contextlib
import os
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, autocommit: bool = False) -> Engine:
    """`autocommit`: each statement is its own transaction, and pooled connections are used
    without a liveness ping; whoever uses it recovers from a dropped connection itself."""
    # hide_parameters: a database error's message, which the error log keeps, never holds the
    # values of a statement (a client secret's hash, an email, a session token's hash).
    options: dict[str, Any] = {"hide_parameters": True}
    if autocommit:
        options["isolation_level"] = "AUTOCOMMIT"
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=not autocommit, **options)
    _create_private(make_url(url).database)
    engine = create_engine(url, connect_args={"timeout": 30}, **options)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        # WAL lets readers proceed while one writer commits; foreign keys are off by default.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


def _create_private(database: str | None) -> None:
    """Create a missing SQLite database file readable by its owner only, before SQLite creates
    it world-readable: it holds password hashes and customers' data. SQLite gives its -wal and
    -shm files the database file's mode. An existing file's mode is the operator's choice."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return  # in memory, or a URI filename (`?uri=true`) that SQLite resolves itself
    # O_EXCL: only ever a creation. Of workers starting together one creates the file; an
    # existing file is not opened at all, nor a symlink in its place followed. The OSError is
    # that, or a missing or read-only folder, which SQLite reports when it opens the file.
    with contextlib.suppress(OSError):
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["db_engine"] = engine
    # The code exchange's: one statement, one round trip, with no BEGIN, COMMIT or ping.
    app.extensions["db_autocommit"] = make_engine(app.config["DATABASE_URL"], autocommit=True)
    app.extensions["db_sessions"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close_db)


def dispose(app: Flask) -> None:
    """Close every pooled connection (before the database goes away)."""
    for name in ("db_engine", "db_autocommit"):
        app.extensions[name].dispose()


def get_db() -> Session:
    """The current request's database session, opened on first use."""
    if "db" not in g:
        g.db = current_app.extensions["db_sessions"]()
    return g.db


def _close_db(_exc: BaseException | None) -> None:
    db: Session | None = g.pop("db", None)
    if db is not None:
        db.close()
