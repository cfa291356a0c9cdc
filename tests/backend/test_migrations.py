"""Schema migrations (Alembic): `init-db` applies them, the migrated schema is exactly the
models', and replicas that start together on one database set it up once."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, func, inspect, select, text

from backend import create_app, migrations
from backend.db import dispose, get_db
from backend.models import Base, Client, SigningKey, User
from tests.support.backend_app import CLIENT_ID, ISSUER, issue_code, make_app, redeem
from tests.support.servers import ROOT


def test_the_migrated_schema_is_the_models(app):
    """A model changed without a migration shows here: `new-migration` drafts the missing one."""
    with app.extensions["db_engine"].connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_downgrade_to_nothing_and_upgrade_again(app, tmp_path):
    engine = app.extensions["db_engine"]
    with engine.begin() as connection:
        command.downgrade(migrations.config(connection), "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    dispose(app)
    again = make_app(tmp_path, DATABASE_URL=app.config["DATABASE_URL"])  # init-db and seed-demo
    client = again.test_client()
    assert redeem(client, issue_code(client)).status_code == 200


def client_columns(engine) -> set[str]:
    return {column["name"] for column in inspect(engine).get_columns("clients")}


def test_0003_gives_existing_clients_the_rfc_connector_and_downgrades(app, runner, tmp_path):
    """0003 adds `liveperson_connector`: clients registered before it serve LivePerson's
    OAuth 2 RFC connector, as they always did; the downgrade removes the column and keeps
    every client, which the upgrade brings back as oauth2."""
    engine = app.extensions["db_engine"]
    result = runner.invoke(args=["create-client", "--client-id", "lp-legacy", "--secret", "s" * 20,
                                 "--redirect-uri", "https://liveperson.net",
                                 "--liveperson-connector", "openid"])
    assert result.exit_code == 0, result.output
    with engine.begin() as connection:
        command.downgrade(migrations.config(connection), "0002")
    assert "liveperson_connector" not in client_columns(engine)
    with engine.connect() as connection:
        kept = set(connection.scalars(text("SELECT client_id FROM clients")))
    assert kept == {CLIENT_ID, "lp-legacy"}
    dispose(app)
    again = make_app(tmp_path, DATABASE_URL=app.config["DATABASE_URL"])  # init-db upgrades
    with again.app_context():
        connectors = dict(get_db().execute(select(Client.client_id, Client.liveperson_connector)).all())
    assert connectors == {CLIENT_ID: "oauth2", "lp-legacy": "oauth2"}
    client = again.test_client()
    assert redeem(client, issue_code(client)).status_code == 200


def test_0004_adds_delegation_that_existing_clients_do_without_and_downgrades(app, runner, tmp_path):
    """0004 adds Consumer Delegation: the refresh token, consent and order tables, and the
    clients' delegation columns. Clients registered before it keep what they had: no delegated
    scope, so no consent question; the downgrade removes it all and keeps clients and users."""
    engine = app.extensions["db_engine"]
    result = runner.invoke(args=["create-client", "--client-id", "lp-delegating", "--secret", "s" * 20,
                                 "--redirect-uri", "https://liveperson.net",
                                 "--delegation-scope", "orders.read", "--first-party"])
    assert result.exit_code == 0, result.output
    with engine.begin() as connection:
        command.downgrade(migrations.config(connection), "0003")
    tables = set(inspect(engine).get_table_names())
    assert not tables & {"refresh_tokens", "consents", "orders"}
    assert not client_columns(engine) & {"delegation_scopes", "first_party", "name"}
    code_columns = {column["name"] for column in inspect(engine).get_columns("authorization_codes")}
    assert "revoked_at" not in code_columns
    with engine.connect() as connection:
        kept = set(connection.scalars(text("SELECT client_id FROM clients")))
        users = connection.scalar(text("SELECT count(*) FROM users"))
    assert kept == {CLIENT_ID, "lp-delegating"}
    assert users == 1
    dispose(app)
    again = make_app(tmp_path, DATABASE_URL=app.config["DATABASE_URL"])  # init-db upgrades, seed-demo
    with again.app_context():
        rows = get_db().execute(select(Client.client_id, Client.delegation_scopes, Client.first_party)).all()
    assert sorted(map(tuple, rows)) == [(CLIENT_ID, [], False), ("lp-delegating", [], False)]
    client = again.test_client()
    tokens = redeem(client, issue_code(client, scope="orders.read")).json
    assert tokens["scope"] == "openid profile email phone"  # the demo client is as it was
    assert "refresh_token" not in tokens


def test_a_database_made_before_migrations_is_refused_with_the_fix(empty_database):
    engine = create_engine(empty_database)
    Base.metadata.create_all(engine)
    app = create_app({"ISSUER": ISSUER, "DATABASE_URL": empty_database, "SECRET_KEY": "s" * 32})
    result = app.test_cli_runner().invoke(args=["init-db"])
    dispose(app)
    assert result.exit_code == 1
    assert "no migration history" in result.output
    assert "alembic_version" not in inspect(engine).get_table_names()
    engine.dispose()


def test_replicas_starting_together_set_the_database_up_once(database, empty_database):
    """Three `init-db && seed-demo` at once on an empty database: all succeed, one schema,
    one first key, one demo user."""
    if database != "postgresql":
        pytest.skip("replicas share a PostgreSQL; SQLite serves one machine")
    env = {**os.environ, "BACKEND_DATABASE_URL": empty_database, "BACKEND_SECRET_KEY": "s" * 32}
    script = (f"{sys.executable} -m flask --app backend init-db && "
              f"{sys.executable} -m flask --app backend seed-demo")

    def start(_: int) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["sh", "-c", script], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=120, check=False)

    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(start, range(3)))
    for result in results:
        assert result.returncode == 0, result.stdout + result.stderr
    app = create_app({"ISSUER": ISSUER, "DATABASE_URL": empty_database, "SECRET_KEY": "s" * 32})
    with app.app_context():
        db = get_db()
        assert db.scalar(select(func.count()).select_from(SigningKey)) == 1
        assert db.scalar(select(func.count()).select_from(User)) == 1
    dispose(app)
