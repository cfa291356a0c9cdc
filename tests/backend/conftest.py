"""Backend fixtures, after Flask's tutorial: every test runs on SQLite and on PostgreSQL, with a
fresh database seeded with the demo user and client (tests/support/backend_app.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import make_url

from tests.support import postgres
from tests.support.backend_app import Store, current_store, make_app, use_store


@pytest.fixture(scope="session", autouse=True, params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Every backend test runs on SQLite and on PostgreSQL."""
    folder = tmp_path_factory.mktemp(request.param)
    with ExitStack() as stack:
        server_url = None
        if request.param == "postgresql":
            server_url = stack.enter_context(postgres.cluster())
        store = Store(request.param, folder, server_url)
        use_store(store)
        store.template = make_url(make_app(folder).config["DATABASE_URL"]).database
        store.release()
        stack.callback(store.close)
        yield request.param
        use_store(None)


@pytest.fixture(autouse=True)
def _release_databases(database: str) -> Iterator[None]:
    yield
    current_store().release()


@pytest.fixture
def empty_database() -> str:
    """The URL of a database with no tables, dropped after the test."""
    return current_store().new_database(seeded=False)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    yield make_app(tmp_path)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()
