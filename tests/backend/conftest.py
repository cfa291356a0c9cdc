"""Backend fixtures, after Flask's tutorial: a fresh SQLite database per test, the demo user
and client seeded, and helpers that act as the apps and as LivePerson do."""

from __future__ import annotations

import base64
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from joserfc import jwt
from joserfc.jwk import KeySet
from sqlalchemy import inspect, select

from backend import create_app
from backend.cli import DEMO_CLIENT_SECRET, DEMO_USER, LIVEPERSON_REDIRECT_URIS
from backend.db import get_db

ISSUER = "https://brand.example"
CLIENT_ID = "liveperson-demo"
CLIENT_SECRET = DEMO_CLIENT_SECRET
EMAIL = DEMO_USER["email"]
PASSWORD = DEMO_USER["password"]
REDIRECT_URI = LIVEPERSON_REDIRECT_URIS[0]
POPOUT_URI = "http://127.0.0.1:8002/le_unified_window/index.html"


# Settings that change what init-db and seed-demo write; with any other settings, a copy of
# one database seeded per test session replaces the key generation and password hashing.
_SEEDING_SETTINGS = {"DATABASE_URL", "SECRET_KEY", "KEY_ENCRYPTION_SECRET", "LIVEPERSON_CLIENT_ID"}
_seeded: dict[str, Path] = {}


def make_app(tmp_path: Path, **overrides: Any) -> Flask:
    database = tmp_path / "backend.sqlite3"
    settings = {
        "ISSUER": ISSUER,
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": "test-secret-key",
        # Rotated keys sign at once in tests; the delay itself is tested in test_keys.py.
        "KEY_REFRESH_INTERVAL": 0,
        **overrides,
    }
    app = create_app(settings)
    app.config["TESTING"] = True
    if _SEEDING_SETTINGS.isdisjoint(overrides) and "template" in _seeded:
        with closing(sqlite3.connect(_seeded["template"])) as source, \
                closing(sqlite3.connect(database)) as copy:
            source.backup(copy)
        return app
    runner = app.test_cli_runner()
    for command in (["init-db"], ["seed-demo"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, result.output
    return app


@pytest.fixture(scope="session", autouse=True)
def _seeded_template(tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("template")
    app = make_app(folder)
    app.extensions["db_engine"].dispose()
    _seeded["template"] = folder / "backend.sqlite3"


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    yield make_app(tmp_path)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


def basic(client_id: str = CLIENT_ID, secret: str = CLIENT_SECRET) -> dict[str, str]:
    raw = f"{client_id}:{secret}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


def login(client: FlaskClient, email: str = EMAIL, password: str = PASSWORD) -> str:
    """Log in through the app API; returns the session token (the cookie is set as well)."""
    response = client.post("/api/session", json={"email": email, "password": password})
    assert response.status_code == 200, response.json
    return response.json["session_token"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def issue_code(client: FlaskClient, session_token: str | None = None, **body: str) -> str:
    """Ask the backend for a code as the brand's app does when the SDK asks for one."""
    token = session_token or login(client)
    response = client.post("/api/liveperson/code", json=body, headers=bearer(token))
    assert response.status_code == 200, response.json
    return response.json["code"]


def redeem(client: FlaskClient, code: str, *, headers: dict[str, str] | None = None,
           **form: str) -> Any:
    """POST to the token endpoint as LivePerson does (Basic credentials unless told otherwise)."""
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI, **form}
    return client.post("/oauth2/v3/token", data=data, headers=basic() if headers is None else headers)


def verify_id_token(client: FlaskClient, token: str) -> dict[str, Any]:
    """Verify an id_token against the backend's published JWKS; returns the claims."""
    keys = KeySet.import_key_set(client.get("/oauth2/v3/certs").json)
    return jwt.decode(token, keys, algorithms=["RS256"]).claims


def snapshot(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table: compare before and after to prove nothing changed."""
    with app.app_context():
        db = get_db()
        tables = {}
        for table in inspect(db.get_bind()).get_table_names():
            from backend.models import Base

            model_table = Base.metadata.tables[table]
            tables[table] = sorted(map(tuple, db.execute(select(model_table)).all()), key=repr)
        return tables
