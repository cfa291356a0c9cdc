"""The backend on PostgreSQL (any SQLAlchemy URL through BACKEND_DATABASE_URL): schema,
the code flow, single use and revocation, on a real throwaway cluster."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.backend.conftest import issue_code, make_app, redeem, verify_id_token
from tests.support import postgres


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as folder, postgres.cluster(Path(folder)) as url:
        yield url


@pytest.fixture
def pg_app(tmp_path: Path, postgres_url: str) -> Iterator[Flask]:
    app = make_app(tmp_path, DATABASE_URL=postgres_url)
    yield app
    app.extensions["db_engine"].dispose()  # close pooled connections before the cluster stops


def test_init_db_is_idempotent_on_postgres(pg_app: Flask) -> None:
    result = pg_app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "Generated signing key" not in result.output


def test_code_flow_single_use_and_revocation_on_postgres(pg_app: Flask) -> None:
    client = pg_app.test_client()
    code = issue_code(client)
    first = redeem(client, code)
    assert first.status_code == 200
    assert verify_id_token(client, first.json["id_token"])["sub"]
    access = {"Authorization": "Bearer " + first.json["access_token"]}
    assert client.get("/oauth2/v3/userinfo", headers=access).status_code == 200

    again = redeem(client, code)
    assert again.status_code == 400
    assert again.json["error"] == "invalid_grant"
    assert client.get("/oauth2/v3/userinfo", headers=access).status_code == 401
