"""Files the backend creates for itself: the SQLite database and the instance secret are the
owner's alone (0600), and workers starting together agree on one whole secret."""

from __future__ import annotations

import multiprocessing
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from backend import create_app
from backend.config import _instance_secret
from backend.db import dispose
from tests.support.backend_app import ISSUER

WORKERS = 6  # processes racing for one instance folder
ROUNDS = 40  # fresh folders they race for, one after another


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def _usual_umask() -> Iterator[None]:
    """The common umask 022, which leaves files world-readable unless they are created 0600; a
    stricter umask of the machine running the tests would hide a missing 0600."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def sqlite_app(database: Path) -> Flask:
    return create_app({"ISSUER": ISSUER, "SECRET_KEY": "test-secret-key",
                       "DATABASE_URL": f"sqlite:///{database}"})


def test_new_database_file_is_the_owners_alone(tmp_path):
    """The database the backend creates, and the -wal and -shm files beside it, are 0600."""
    database = tmp_path / "backend.sqlite3"
    app = sqlite_app(database)
    try:
        result = app.test_cli_runner().invoke(args=["init-db"])
        assert result.exit_code == 0, result.output
        # The pooled connections are still open, so the -wal and -shm files are still there.
        files = sorted(tmp_path.glob("backend.sqlite3*"))
        assert [path.name for path in files] == [
            "backend.sqlite3", "backend.sqlite3-shm", "backend.sqlite3-wal",
        ]
        assert {path.name: mode(path) for path in files} == {path.name: 0o600 for path in files}
    finally:
        dispose(app)


def test_existing_database_file_keeps_its_mode(tmp_path):
    """An existing database file's mode is the operator's choice: the backend leaves it."""
    database = tmp_path / "backend.sqlite3"
    database.touch()
    database.chmod(0o640)
    app = sqlite_app(database)
    try:
        assert app.test_cli_runner().invoke(args=["init-db"]).exit_code == 0
        assert mode(database) == 0o640
    finally:
        dispose(app)


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_memory_database_creates_no_file(tmp_path, monkeypatch, url):
    """An in-memory database has no file to create."""
    monkeypatch.chdir(tmp_path)
    app = create_app({"ISSUER": ISSUER, "SECRET_KEY": "test-secret-key", "DATABASE_URL": url})
    dispose(app)
    assert list(tmp_path.iterdir()) == []


def _race_for_secrets(barrier: Any, folders: list[str], results: Any) -> None:
    """One worker: for each folder, wait for the others, then read (or make) its secret."""
    found = []
    for folder in folders:
        barrier.wait(timeout=60)
        found.append(_instance_secret(Path(folder)))
    results.put(found)


def test_workers_starting_together_read_one_whole_secret(tmp_path):
    """Processes released at the same moment on an empty instance folder all read the same
    non-empty secret; the file is 0600 and nothing else is left in the folder."""
    folders = [tmp_path / f"instance-{n}" for n in range(ROUNDS)]
    context = multiprocessing.get_context("spawn")  # a fresh interpreter, as a worker is
    barrier = context.Barrier(WORKERS)
    results = context.Queue()
    workers = [context.Process(target=_race_for_secrets,
                               args=(barrier, [str(folder) for folder in folders], results))
               for _ in range(WORKERS)]
    for worker in workers:
        worker.start()
    try:
        found = [results.get(timeout=120) for _ in workers]
    finally:
        for worker in workers:
            worker.join(timeout=30)
    assert all(worker.exitcode == 0 for worker in workers)
    for n, folder in enumerate(folders):
        secrets = {found_by_one[n] for found_by_one in found}
        assert secrets == {(folder / "secret_key").read_text()}, f"round {n}: {secrets}"
        assert len(secrets.pop()) == 64
        assert [path.name for path in folder.iterdir()] == ["secret_key"]
        assert mode(folder / "secret_key") == 0o600


def test_empty_secret_file_stops_the_start(tmp_path):
    """An empty secret file (left by an older version stopped mid-write) is not used as a key:
    the start stops and says what to do."""
    (tmp_path / "secret_key").touch()
    with pytest.raises(SystemExit) as stopped:
        _instance_secret(tmp_path)
    assert "secret_key is empty: delete it" in str(stopped.value.code)
