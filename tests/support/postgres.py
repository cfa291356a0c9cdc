"""A throwaway PostgreSQL cluster in a temporary folder, on a free loopback port.

Uses the machine's PostgreSQL binaries (bin/test installs them where missing). initdb refuses
to run as root, so as root the cluster runs as the `postgres` system user, in a folder of its
own under the system's temporary folder (it could not enter pytest's private ones).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _bindir() -> Path | None:
    # Debian keeps the server binaries off PATH, under /usr/lib/postgresql/<version>/bin.
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if versions:
        return Path(versions[-1]).parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


def available() -> bool:
    return _bindir() is not None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def cluster() -> Iterator[str]:
    """Start a cluster; yields the SQLAlchemy URL of its empty database; stops it afterwards."""
    with tempfile.TemporaryDirectory(prefix="postgres-") as name:
        yield from _run_cluster(Path(name))


def _run_cluster(folder: Path) -> Iterator[str]:
    bindir = _bindir()
    if bindir is None:
        raise RuntimeError("PostgreSQL binaries not found: run bin/test, which installs them.")
    prefix: list[str] = []
    if os.geteuid() == 0:
        prefix = ["runuser", "-u", "postgres", "--"]
        shutil.chown(folder, "postgres")
    data, port = folder / "data", _free_port()

    def run(*args: str) -> None:
        subprocess.run([*prefix, *args], check=True, capture_output=True, timeout=120)

    run(str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "app", "--no-sync")
    run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w", "-o",
        f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
    try:
        # pg_ctl -w returned once the server accepts connections; initdb made this database.
        yield f"postgresql+psycopg://app@127.0.0.1:{port}/postgres"
    finally:
        run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
