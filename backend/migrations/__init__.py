"""Schema migrations (Alembic): `flask --app backend init-db` applies them, so a live database
is upgraded in place; `flask --app backend new-migration MESSAGE` drafts the next one from
the models."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, inspect

from backend.models import Base

FOLDER = Path(__file__).parent


class UnversionedDatabase(RuntimeError):
    """The database has the backend's tables but no migration history."""


def config(connection: Connection) -> Config:
    alembic = Config()
    alembic.set_main_option("script_location", str(FOLDER))
    alembic.attributes["connection"] = connection
    return alembic


def upgrade(connection: Connection) -> None:
    """Bring the schema to the newest revision."""
    tables = set(inspect(connection).get_table_names())
    if "alembic_version" not in tables and tables & set(Base.metadata.tables):
        raise UnversionedDatabase(
            "The database has the backend's tables but no migration history: it was made before "
            "migrations existed. Delete it if it is a development database; otherwise stamp the "
            "revision matching its schema with Alembic first."
        )
    command.upgrade(config(connection), "head")


def draft(connection: Connection, message: str) -> None:
    """Write the next revision: the difference between the models and the migrated schema."""
    command.revision(config(connection), message=message, autogenerate=True)
