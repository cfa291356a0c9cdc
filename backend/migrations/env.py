"""Alembic's entry point; `backend.migrations` hands it the app's database connection."""

from __future__ import annotations

from typing import Any

from alembic import context
from alembic.autogenerate.api import AutogenContext

from backend.models import Base
from backend.models.base import UTCDateTime


def _render_item(kind: str, item: Any, _context: AutogenContext) -> str | bool:
    # Migrations stay plain SQLAlchemy: the UTC conversion is Python-side, the column a
    # timezone-aware DateTime.
    if kind == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


context.configure(
    connection=context.config.attributes["connection"],
    target_metadata=Base.metadata,
    # SQLite alters a table by copying it; batch mode writes migrations that work everywhere.
    render_as_batch=True,
    render_item=_render_item,
)
with context.begin_transaction():
    context.run_migrations()
