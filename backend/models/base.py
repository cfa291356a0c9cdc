"""Declarative base, with UTC timestamps (`shared/utc_datetime.py`); how secrets are made and
stored is `protocol/bearer.py`."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Re-exported for the modules that store bearer secrets (sessions, the CLI).
from backend.protocol.bearer import digest as digest
from backend.protocol.bearer import new_secret as new_secret
from shared.utc_datetime import UTCDateTime as UTCDateTime  # the models' and migrations' type


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime}  # noqa: RUF012 (SQLAlchemy reads it as is)
    # Named constraints, so that migrations can alter them (SQLite's batch mode needs names).
    metadata = MetaData(naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    })


def utcnow() -> datetime:
    return datetime.now(UTC)
