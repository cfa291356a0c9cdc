"""A PostgreSQL server of the benchmark's own: a new cluster in a temporary folder, on a free
loopback port, run in the foreground (`postgres -D`) and dropped after the run.

It uses the machine's PostgreSQL binaries (bin/test installs them). initdb refuses to run as
root, so as root the cluster belongs to the `postgres` system user. fsync is off, as in the
tests: the figures are the server's CPU, not the virtual disk's flush latency.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from bench import processes

USER = "bench"


def binaries() -> Path | None:
    """The folder of initdb and postgres: Debian's newest version (kept off PATH), else PATH's."""
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=_major_version)
    program = debian[-1] if debian else shutil.which("postgres")
    return Path(program).parent if program else None


def _major_version(program: Path) -> int:
    """16 for /usr/lib/postgresql/16/bin/postgres: version 9 sorts before 16."""
    name = program.parents[1].name
    return int(name.split(".")[0]) if name.split(".")[0].isdigit() else 0


def missing() -> str | None:
    """What the benchmark lacks to run PostgreSQL here, if anything."""
    if binaries() is None:
        return "PostgreSQL's binaries are missing (bin/test installs them)"
    if importlib.util.find_spec("psycopg") is None:
        return "psycopg is missing (pip install -e '.[postgres]')"
    return None


@contextmanager
def cluster() -> Iterator[str]:
    """Yields the SQLAlchemy URL of the new cluster's `postgres` database."""
    folder = binaries()
    if folder is None:
        raise RuntimeError("PostgreSQL's binaries are missing: bin/test installs them.")
    as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    with tempfile.TemporaryDirectory(prefix="bench-postgres-") as name:
        home = Path(name)
        if as_owner:
            shutil.chown(home, "postgres")
        data, port = home / "data", processes.free_port()
        subprocess.run(  # noqa: S603 (fixed arguments)
            [*as_owner, str(folder / "initdb"), "--pgdata", str(data), "--username", USER,
             "--auth", "trust", "--no-sync"],
            check=True, capture_output=True, timeout=120,
        )
        server = [
            *as_owner, str(folder / "postgres"), "-D", str(data), "-p", str(port), "-k", str(home),
            "-c", "listen_addresses=" + processes.HOST, "-c", "fsync=off",
        ]
        conninfo = f"host={processes.HOST} port={port} user={USER} dbname=postgres"
        # SIGINT is PostgreSQL's fast shutdown: it does not wait for clients to leave.
        with processes.running(server, env=os.environ, log=home / "server.log", ready=_accepts(conninfo),
                               stop_signal=signal.SIGINT):
            yield f"postgresql+psycopg://{USER}@{processes.HOST}:{port}/postgres"


def _accepts(conninfo: str) -> Callable[[], bool]:
    import psycopg  # only with PostgreSQL: the `postgres` extra installs it

    def check() -> bool:
        try:
            psycopg.connect(conninfo, connect_timeout=2).close()
        except psycopg.OperationalError:  # not listening yet, or still starting up
            return False
        return True

    return check
