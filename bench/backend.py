"""A backend under test: a fresh database, gunicorn serving it (started by tests.support.servers),
and the same app in this process, for direct database access (pre-issuing codes, the signing key).
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import create_app
from backend.cli import DEMO_USER
from backend.db import dispose
from backend.models import User
from bench.workers import WorkerModel
from tests.support import postgres, servers

DATABASES = ("sqlite", "postgresql")
# Codes outlive the run, so they can be issued before it. Keys are re-read from the database
# every 30 s as in production (the test servers re-read them on every request).
SETTINGS = {"CODE_LIFETIME": 3600, "KEY_REFRESH_INTERVAL": 30}


@dataclass(frozen=True)
class Backend:
    database: str  # one of DATABASES
    workers: int
    model: WorkerModel
    server: servers.LiveServer
    app: Flask  # configured as the server is: its database, secret key and settings


def port(server: servers.LiveServer) -> int:
    return int(server.url.rsplit(":", 1)[1])


def demo_user(db: Session) -> User:
    """The customer seed-demo created: every code and token of the benchmark is theirs."""
    user = db.scalar(select(User).where(User.email == DEMO_USER["email"]))
    assert user is not None, "seed-demo has not run on this database"
    return user


@contextmanager
def _database(kind: str) -> Iterator[str]:
    """A new, empty database of `kind`; yields its SQLAlchemy URL."""
    if kind == "postgresql":
        with postgres.cluster() as url:
            yield url
        return
    with tempfile.TemporaryDirectory(prefix="bench-sqlite-") as folder:
        yield f"sqlite:///{Path(folder) / 'backend.sqlite3'}"


@contextmanager
def started(database: str, workers: int, model: WorkerModel) -> Iterator[Backend]:
    """gunicorn with `workers` processes of `model` on a new database of kind `database`, after
    init-db and seed-demo."""
    with _database(database) as url, tempfile.TemporaryDirectory(prefix="bench-backend-") as folder:
        settings = {**SETTINGS, "DATABASE_URL": url, "SECRET_KEY": secrets.token_urlsafe(32)}
        with servers.backend(
            Path(folder),
            workers=workers,
            gunicorn_options=model.gunicorn_options(),
            **{name: str(value) for name, value in settings.items()},
        ) as server:
            app = create_app({**settings, "ISSUER": server.url})
            try:
                yield Backend(database, workers, model, server, app)
            finally:
                dispose(app)  # close pooled connections before the database goes
