"""Gunicorn worker models to compare: the one gunicorn.conf.py configures, sync, gthread, gevent.

The sync worker answers every request with `Connection: close`, so each token request pays
for a new TCP connection; gthread and gevent keep connections alive (gunicorn's --keep-alive)
and serve several at once per process, at the cost of threads or greenlets sharing one GIL.
"""

from __future__ import annotations

import importlib.util
import runpy
from dataclasses import dataclass

from bench.processes import ROOT

GUNICORN_DEFAULT_CLASS = "sync"  # what gunicorn runs when neither its config nor options say


@dataclass(frozen=True)
class WorkerModel:
    worker_class: str
    threads: int = 1  # gthread only
    keep_alive: int | None = None  # seconds; None: gunicorn's default (2)
    configured: bool = False  # exactly gunicorn.conf.py, without extra options

    def gunicorn_options(self) -> list[str]:
        if self.configured:
            return []
        options = ["--worker-class", self.worker_class]
        if self.worker_class == "gthread":
            options += ["--threads", str(self.threads)]
        if self.keep_alive is not None:
            options += ["--keep-alive", str(self.keep_alive)]
        return options

    @property
    def label(self) -> str:
        label = self.worker_class
        if self.worker_class == "gthread":
            label += f"x{self.threads}"
        if self.keep_alive is not None:
            label += f" ka{self.keep_alive}"
        return label


def configured() -> WorkerModel:
    """The worker model gunicorn.conf.py sets, or gunicorn's default."""
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    return WorkerModel(
        conf.get("worker_class", GUNICORN_DEFAULT_CLASS), threads=conf.get("threads", 1), configured=True
    )


def available_classes() -> list[str]:
    """The worker classes this environment can run: gevent only where it is installed."""
    return ["sync", "gthread", *(["gevent"] if importlib.util.find_spec("gevent") else [])]
