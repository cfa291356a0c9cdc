"""The backend in process, as the backend tests drive it: a fresh database per app (SQLite files,
or databases in one throwaway PostgreSQL cluster), seeded by copying a template, and helpers
that act as the apps and as LivePerson do."""

from __future__ import annotations

import base64
import re
import sqlite3
from contextlib import closing
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, select, text
from werkzeug.test import TestResponse

from backend import create_app
from backend.cli import DEMO_CLIENT_SECRET, DEMO_USER
from backend.db import dispose, get_db
from backend.models import Base
from shared.contract import REDIRECT_URIS as LIVEPERSON_REDIRECT_URIS

ISSUER = "https://brand.example"
CLIENT_ID = "liveperson-demo"
CLIENT_SECRET = DEMO_CLIENT_SECRET
EMAIL = DEMO_USER["email"]
PASSWORD = DEMO_USER["password"]
REDIRECT_URI = LIVEPERSON_REDIRECT_URIS[0]
POPOUT_URI = "http://127.0.0.1:8002/le_unified_window/index.html"
# Consumer Delegation: the demo client is registered for the brand API's orders.read.
DELEGATED_SCOPE = "openid orders.read"


# PyJWT checks the signature and nothing else: the claims are what the tests examine.
SIGNATURE_ONLY: Any = {
    "verify_signature": True,
    **dict.fromkeys(("verify_exp", "verify_nbf", "verify_iat", "verify_aud", "verify_iss"), False),
}


# Settings that change what init-db and seed-demo write; with any other settings, a copy of
# one database seeded per test session replaces the key generation and password hashing.
_SEEDING_SETTINGS = {"DATABASE_URL", "SECRET_KEY", "KEY_ENCRYPTION_SECRET", "LIVEPERSON_CLIENT_ID"}


class Store:
    """Where the backend suite keeps its databases: a fresh one for each app a test makes,
    seeded by copying a template, on SQLite (files) or PostgreSQL (one throwaway cluster)."""

    def __init__(self, kind: str, folder: Path, server_url: str | None = None) -> None:
        self.kind = kind
        self._folder = folder
        self._server = create_engine(server_url, isolation_level="AUTOCOMMIT") if server_url else None
        self._apps: list[Flask] = []
        self._databases: list[str] = []
        self._count = 0
        self.template: str | None = None

    def new_database(self, seeded: bool) -> str:
        """The URL of an empty database, or of a copy of the seeded template."""
        self._count += 1
        if self._server is None:
            path = self._folder / f"backend-{self._count}.sqlite3"
            if seeded:
                with closing(sqlite3.connect(self.template)) as source, \
                        closing(sqlite3.connect(path)) as copy:
                    source.backup(copy)
            return f"sqlite:///{path}"
        name = f"test_{self._count}"
        self._databases.append(name)
        with self._server.connect() as connection:
            template = f" TEMPLATE {self.template}" if seeded else ""
            connection.execute(text(f"CREATE DATABASE {name}{template}"))
        return self._server.url.set(database=name).render_as_string(hide_password=False)

    def close(self) -> None:
        if self._server is not None:
            self._server.dispose()

    def track(self, app: Flask) -> None:
        self._apps.append(app)

    def release(self) -> None:
        """Close the apps a test made and drop its PostgreSQL databases."""
        for app in self._apps:
            dispose(app)
        if self._server is not None:
            with self._server.connect() as connection:
                for name in self._databases:
                    if name != self.template:
                        connection.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
        self._apps.clear()
        self._databases.clear()


_stores: list[Store] = []  # the one in use: make_app is a plain function tests call directly


def use_store(store: Store | None) -> None:
    """Make `store` the one make_app uses (None: no store; outside the backend tests)."""
    _stores[:] = [] if store is None else [store]


def current_store() -> Store:
    return _stores[0]


def make_app(tmp_path: Path, **overrides: Any) -> Flask:
    store = current_store()
    seeded = _SEEDING_SETTINGS.isdisjoint(overrides) and store.template is not None
    settings = {
        "ISSUER": ISSUER,
        "SECRET_KEY": "test-secret-key",
        # Rotated keys sign at once in tests; the delay itself is tested in test_keys.py.
        "KEY_REFRESH_INTERVAL": 0,
        **overrides,
    }
    settings.setdefault("DATABASE_URL", store.new_database(seeded))
    app = create_app(settings)
    app.config["TESTING"] = True
    store.track(app)
    if seeded:
        return app
    runner = app.test_cli_runner()
    for command in (["init-db"], ["seed-demo"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, result.output
    return app


def another_process(app: Flask, **overrides: Any) -> Flask:
    """The backend as a second process would run it: `app`'s database and settings."""
    settings = {name: app.config[name] for name in ("ISSUER", "DATABASE_URL", "SECRET_KEY",
                                                     "KEY_REFRESH_INTERVAL")}
    other = create_app({**settings, **overrides})
    current_store().track(other)
    return other


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
    """Verify an id_token's RS256 signature with the published key its kid names; returns the
    claims (the tests judge those themselves)."""
    keys = jwt.PyJWKSet.from_dict(client.get("/oauth2/v3/certs").json)
    key = keys[jwt.get_unverified_header(token)["kid"]]
    return jwt.decode(token, key, algorithms=["RS256"], options=SIGNATURE_ONLY)


def snapshot(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table: compare before and after to prove nothing changed."""
    with app.app_context():
        db = get_db()
        return {
            table.name: sorted(map(tuple, db.execute(select(table)).all()), key=repr)
            for table in Base.metadata.sorted_tables
        }


def form_field(page: str, name: str) -> str:
    """The value of the page's hidden form field `name`."""
    match = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', page)
    assert match, f"no hidden {name} field in:\n{page}"
    return unescape(match.group(1))


def authorize(client: FlaskClient, client_id: str = CLIENT_ID, **params: str) -> TestResponse:
    """GET the authorization endpoint for a code, for the delegated scope unless told otherwise
    (the browser is expected to be logged in)."""
    query = {"response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT_URI,
             "scope": DELEGATED_SCOPE, "state": "st", **params}
    return client.get("/oauth2/v3/authorize", query_string=query)


def answer_consent(client: FlaskClient, page: TestResponse, decision: str = "allow") -> TestResponse:
    """Press Allow or Deny on the consent page `page`, as the browser that got it."""
    assert page.status_code == 200, page.data
    html = page.get_data(as_text=True)
    return client.post("/consent", data={
        "csrf_token": form_field(html, "csrf_token"),
        "authorization_request": form_field(html, "authorization_request"),
        "decision": decision,
    })


def redirect_params(response: TestResponse) -> dict[str, str]:
    """The query parameters of a redirect's Location."""
    assert response.status_code in (302, 303), response.data
    query = urlsplit(response.headers["Location"]).query
    return {name: values[0] for name, values in parse_qs(query).items()}


def delegated_tokens(client: FlaskClient) -> dict[str, Any]:
    """The token response of a delegated grant, through the real flow: log in, consent on the
    consent page, redeem the code as LivePerson does."""
    login(client)
    page = authorize(client)
    response = answer_consent(client, page) if page.status_code == 200 else page
    tokens = redeem(client, redirect_params(response)["code"])
    assert tokens.status_code == 200, tokens.json
    assert "refresh_token" in tokens.json, tokens.json
    return tokens.json


def refresh(client: FlaskClient, refresh_token: str, *, headers: dict[str, str] | None = None,
            **form: str) -> TestResponse:
    """POST grant_type=refresh_token as LivePerson does (Basic credentials unless told otherwise)."""
    data = {"grant_type": "refresh_token", "refresh_token": refresh_token, **form}
    return client.post("/oauth2/v3/token", data=data, headers=basic() if headers is None else headers)


def orders(client: FlaskClient, access_token: str) -> TestResponse:
    """The demo brand API, as a bot calls it with a delegated access token."""
    return client.get("/api/v1/orders", headers=bearer(access_token))
