"""What a benchmark run prints and saves: one table line per measurement, the ratio of the token
endpoint's rate to the raw signing rate, and a JSON file with the machine, the configuration and
every figure (wrk's own report of each run included), so that runs (before and after a change,
on other machines) can be compared."""

from __future__ import annotations

import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import asdict
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.measurements import Run
from bench.processes import ROOT
from bench.signing import SigningResult
from bench.wrk import LoadResult

PACKAGES = ("flask", "gunicorn", "sqlalchemy", "cryptography", "pyjwt", "joserfc", "psycopg", "gevent")
COLUMNS = (  # title, width and alignment of the table's columns
    ("measurement", 12, "<"),
    ("database", 10, "<"),
    ("workers", 7, ">"),
    ("model", 14, "<"),
    ("rate", 8, ">"),
    ("unit", 7, "<"),
    ("p50 ms", 7, ">"),
    ("p99 ms", 7, ">"),
    ("max ms", 7, ">"),
    ("errors", 6, ">"),
    ("wrk CPU", 7, ">"),
    ("server CPU", 10, ">"),
    ("CPU ms/req", 10, ">"),
    ("machine busy", 12, ">"),
)

LEGEND = (
    "RS256 sign: the median of the measurements taken before each load run, the server idle.\n"
    "Latency per request in the measured run, from wrk's histogram (a conversation: the stand-in's answer).\n"
    "CPU in the measured run: wrk and server (gunicorn's processes) in % of one core, as top shows it;\n"
    "CPU ms/req: the server's CPU time per answer; machine busy in % of all cores, whoever used them."
)


def table(signing: SigningResult, runs: list[Run]) -> str:
    rows = [
        _line(("RS256 sign", "-", "1 core", "raw", f"{signing.signs_per_second:.0f}", "signs/s")),
        _line(("RS256 sign", "-", "1 core", "jwt.encode", f"{signing.jwt_encode_per_second:.0f}", "signs/s")),
    ]
    for run in runs:
        result = run.load
        rows.append(
            _line(
                (
                    run.scenario.replace("token endpoint", "token"),
                    run.database,
                    str(run.workers),
                    run.model.label,
                    f"{result.rate:.1f}",
                    "conv/s" if run.scenario == "conversation" else "req/s",
                    _number(result.p50_ms),
                    _number(result.p99_ms),
                    _number(result.max_ms),
                    str(result.errors),
                    _percent(result.loadgen_cpu),
                    _percent(result.server_cpu),
                    _number(cpu_ms_per_request(result), 2),
                    _percent(result.machine_cpu),
                )
            )
        )
    return "\n".join([_line(tuple(title for title, _, _ in COLUMNS)), *rows, LEGEND])


def cpu_ms_per_request(result: LoadResult) -> float | None:
    """The server's CPU time per answer: what a busy machine changes least."""
    return result.server_cpu / result.rate * 1000 if result.server_cpu and result.rate else None


def ratios(runs: list[Run], signs_per_second: float) -> dict[str, float]:
    """Per database: the best 2-worker token-endpoint rate ÷ the single-core signing rate."""
    best: dict[str, float] = {}
    for run in runs:
        if run.scenario == "token endpoint" and run.workers == 2:
            best[run.database] = max(best.get(run.database, 0.0), run.load.rate)
    return {database: rate / signs_per_second for database, rate in best.items()} if signs_per_second else {}


def ratio_lines(raw: dict[str, float], jwt_encode: dict[str, float]) -> list[str]:
    return [
        f"{database}: best 2-worker token req/s (whole machine) ÷ single-core RS256 signs/s = {ratio:.3f}"
        + (f" ({jwt_encode[database]:.3f} against jwt.encode)" if database in jwt_encode else "")
        for database, ratio in raw.items()
    ]


def warnings(runs: list[Run]) -> list[str]:
    """What makes a figure doubtful: wrong answers (with samples) and codes that ran out."""
    lines = []
    for run in runs:
        name = f"{run.scenario}, {run.database}, {run.workers} workers, {run.model.label}"
        if run.load.exhausted:
            lines.append(f"{name}: the pre-issued codes ran out; its rate is a lower bound.")
        if run.load.errors:
            lines.append(f"{name}: {run.load.errors} errors, e.g.:")
            lines += [f"    {sample[:300]}" for sample in run.load.error_samples]
    return lines


def machine() -> dict[str, Any]:
    return {
        "cpu_count": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu_model": _cpu_model(),
        "python": sys.version,
        "platform": platform.platform(),
        "sqlite": sqlite3.sqlite_version,
        "packages": {name: _version(name) for name in PACKAGES},
        "git": _git(),
        "wrk": _wrk_version(),
    }


def save(path: Path, results: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, default=_as_json) + "\n")


def _as_json(value: Any) -> Any:
    if hasattr(value, "__dataclass_fields__"):
        return asdict(value)
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _line(cells: tuple[str, ...]) -> str:
    """Cells in the columns' order; the signing line leaves the load columns out."""
    return "  ".join(
        format(cell, f"{align}{width}") for (_, width, align), cell in zip(COLUMNS, cells, strict=False)
    ).rstrip()


def _number(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _cpu_model() -> str | None:
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return platform.processor() or None
    names = [line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")]
    return names[0] if names else None


def _wrk_version() -> str | None:
    wrk = shutil.which("wrk")
    if wrk is None:
        return None
    # `wrk -v` prints its version and usage, and exits 1.
    answer = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False)  # noqa: S603
    return answer.stdout.split("\n", 1)[0].strip() or None


def _git() -> dict[str, Any] | None:
    """The commit measured, and whether tracked files differed from it."""
    git = shutil.which("git")
    if git is None:
        return None

    def run(*args: str) -> str:
        # Fixed arguments, no shell.
        return subprocess.run(  # noqa: S603
            [git, *args], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()

    try:
        return {
            "commit": run("rev-parse", "HEAD"),
            "modified": bool(run("status", "--porcelain", "--untracked-files=no")),
        }
    except subprocess.CalledProcessError:
        return None
