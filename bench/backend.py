"""A backend under test: a fresh database, made ready by the backend's own `init-db` and
`seed-demo`, gunicorn serving it with gunicorn.conf.py, and the same app in this process for
direct database access (pre-issuing codes, the signing key)."""

from __future__ import annotations

import secrets
import sys
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
from bench import postgres, processes
from bench.workers import WorkerModel

DATABASES = ("sqlite", "postgresql")
# Codes outlive the run, so they can be issued before it. Keys are re-read from the database
# every 30 s, as in production.
SETTINGS = {"CODE_LIFETIME": 3600, "KEY_REFRESH_INTERVAL": 30}


@dataclass(frozen=True)
class Backend:
    database: str  # one of DATABASES
    workers: int
    model: WorkerModel
    url: str  # http://127.0.0.1:<port>, also the issuer
    server: processes.Process  # gunicorn's master, leading the workers' process group
    app: Flask  # configured as the server is: its database, secret key and settings


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


def _command(app: Flask, *args: str) -> None:
    """A `flask --app backend` command, run on `app` in this process."""
    result = app.test_cli_runner().invoke(args=list(args))
    if result.exit_code != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.output}") from result.exception


@contextmanager
def started(database: str, workers: int, model: WorkerModel) -> Iterator[Backend]:
    """gunicorn with `workers` processes of `model` on a new database of kind `database`."""
    port = processes.free_port()
    url = f"http://{processes.HOST}:{port}"
    with _database(database) as database_url, tempfile.TemporaryDirectory(prefix="bench-backend-") as folder:
        settings = {**SETTINGS, "DATABASE_URL": database_url, "SECRET_KEY": secrets.token_urlsafe(32),
                    "ISSUER": url}
        app = create_app(settings)
        try:
            _command(app, "init-db")
            _command(app, "seed-demo")
            env = processes.environment(
                "BACKEND_",
                BACKEND_BIND=f"{processes.HOST}:{port}",
                BACKEND_WORKERS=str(workers),
                **{f"BACKEND_{name}": str(value) for name, value in settings.items()},
            )
            command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", *model.gunicorn_options(),
                       "backend:create_app()"]
            ready = processes.answers(url + "/.well-known/openid-configuration")
            log = Path(folder) / "gunicorn.log"
            with processes.running(command, env=env, log=log, ready=ready) as server:
                yield Backend(database, workers, model, url, server, app)
        finally:
            dispose(app)  # close pooled connections before the database goes
