"""Database access: one SQLAlchemy engine per app, one session per request (`get_db()`)."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, autocommit: bool = False) -> Engine:
    """`autocommit`: each statement is its own transaction, and pooled connections are used
    without a liveness ping; whoever uses it recovers from a dropped connection itself."""
    options: dict[str, Any] = {"isolation_level": "AUTOCOMMIT"} if autocommit else {}
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=not autocommit, **options)
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
