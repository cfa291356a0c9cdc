"""Authorization codes issued before a token-endpoint run, so the run measures redemption alone.

They are written by the backend's own `issue_code` and store, as `/api/liveperson/code` writes
them. The store commits once per code, which costs a flush and a transaction per row (about
1,000 codes/s on PostgreSQL); here those commits wait for one commit per batch, whose flush
writes the rows with multi-row INSERTs (about 10,000 codes/s), so a run's supply takes seconds.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import Session

from backend.db import get_db
from backend.models import Client
from backend.models.base import utcnow
from backend.protocol.code_grant import issue_code
from backend.store import SqlStore
from bench.backend import demo_user
from shared import contract

REDIRECT_URI = contract.DEFAULT_REDIRECT_URI  # what LivePerson sends when none is configured
SCOPES = ["openid", "profile", "email"]
BATCH = 1000  # codes per transaction


def issue(app: Flask, count: int) -> list[str]:
    """`count` codes for the demo client and user, valid for the app's CODE_LIFETIME."""
    with app.app_context():
        db = get_db()
        client = db.get(Client, app.config["LIVEPERSON_CLIENT_ID"])
        user = demo_user(db)
    assert client is not None, "seed-demo has not run on this database"
    auth_time = utcnow()
    codes: list[str] = []
    while len(codes) < count:
        with _BatchedCommits(app.extensions["db_engine"]) as db:
            store = SqlStore(db, app.extensions["db_autocommit"])
            for _ in range(min(BATCH, count - len(codes))):
                codes.append(
                    issue_code(
                        store,
                        client=client,
                        user=user,
                        redirect_uri=REDIRECT_URI,
                        scopes=SCOPES,
                        auth_time=auth_time,
                        lifetime=app.config["CODE_LIFETIME"],
                    )
                )
            db.commit_batch()
    return codes


class _BatchedCommits(Session):
    """A session whose `commit()` waits for `commit_batch()`."""

    def commit(self) -> None:
        """Deferred: the rows stay pending until the batch commits."""

    def commit_batch(self) -> None:
        super().commit()
