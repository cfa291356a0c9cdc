"""`python -m bench [options]`, from the repository root: measure the RS256 signing rate, the
token endpoint (1 and 2 gunicorn workers, SQLite and PostgreSQL) and whole conversations through
the LivePerson stand-in; print a table and save every figure as JSON. Exits with 1 when any
answer was wrong or a run ran out of codes, so a doubtful figure cannot pass unnoticed."""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench import load, measurements, report, signing, workers
from bench.backend import DATABASES, started
from bench.workers import WorkerModel
from tests.support import postgres


@dataclass(frozen=True)
class Timing:
    duration: float  # seconds measured per load run
    warmup: float  # seconds of load before measuring
    signing: float  # seconds of signing


DEFAULT = Timing(duration=8.0, warmup=1.0, signing=2.0)
QUICK = Timing(duration=2.0, warmup=0.5, signing=0.5)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--only", choices=DATABASES, help="one database instead of both")
    p.add_argument("--duration", type=float, help=f"seconds measured per run (default {DEFAULT.duration:g})")
    p.add_argument(
        "--warmup", type=float, help=f"seconds of load before measuring (default {DEFAULT.warmup:g})"
    )
    p.add_argument("--concurrency", type=int, default=8, help="requests in flight (default 8)")
    p.add_argument("--quick", action="store_true", help="short runs, for a smoke test")
    p.add_argument("--skip-e2e", action="store_true", help="skip the conversations through the stand-in")
    p.add_argument(
        "--worker-class",
        choices=workers.available_classes(),
        help="gunicorn worker class; gevent where installed (default: what gunicorn.conf.py configures)",
    )
    p.add_argument("--threads", type=int, default=4, help="threads per gthread worker (default 4)")
    p.add_argument(
        "--keep-alive",
        type=int,
        help="gunicorn --keep-alive seconds for gthread and gevent (default gunicorn's)",
    )
    p.add_argument(
        "--compare-workers",
        action="store_true",
        help="also run the 2-worker configuration under every other available worker class",
    )
    p.add_argument(
        "--output",
        type=Path,
        default=Path("bench-results.json"),
        help="where to save the results as JSON (default ./bench-results.json)",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    options = parser().parse_args(argv)
    timing = QUICK if options.quick else DEFAULT
    schedule = load.Schedule(
        concurrency=options.concurrency,
        warmup=timing.warmup if options.warmup is None else options.warmup,
        duration=timing.duration if options.duration is None else options.duration,
    )
    chosen = _model(options.worker_class, options) if options.worker_class else workers.configured()
    others = [_model(name, options) for name in workers.available_classes() if name != chosen.worker_class]
    configurations = [(1, chosen), (2, chosen), *((2, model) for model in others if options.compare_workers)]
    databases = [options.only] if options.only else list(DATABASES)
    if "postgresql" in databases and not postgres.available():
        print("PostgreSQL binaries not found (bin/test installs them): PostgreSQL is skipped.")
        databases.remove("postgresql")
    if not databases:
        return 1

    began, started_at, load_before = time.monotonic(), datetime.now(UTC), os.getloadavg()
    machine = report.machine()
    print(f"{machine['cpu_count']} CPUs ({machine['cpu_model']}), load average {_loads(load_before)}")
    signed: signing.SigningResult | None = None
    runs: list[measurements.Run] = []
    for database in databases:
        for count, model in configurations:
            with started(database, count, model) as live:
                if signed is None:  # on the first backend's database and key, while it is idle
                    signed = signing.measure(live.app, timing.signing)
                    print(f"RS256 sign: {signed.signs_per_second:.0f}/s on one core")
                runs.append(measurements.token_endpoint(live, schedule, signed.signs_per_second))
            _progress(runs[-1])
    if not options.skip_e2e:
        with started(databases[0], 2, chosen) as live:
            runs.append(measurements.conversations(live, schedule))
        _progress(runs[-1])
    assert signed is not None
    wall, load_after = time.monotonic() - began, os.getloadavg()

    ratios = report.ratios(signed, runs)
    print()
    print(report.table(signed, runs))
    print()
    print("\n".join(report.ratio_lines(ratios) + report.warnings(runs)))
    print(f"Load average before {_loads(load_before)}, after {_loads(load_after)}; {wall:.0f} s in all.")
    report.save(
        options.output,
        {
            "started_at": started_at.isoformat(timespec="seconds"),
            "wall_seconds": wall,
            "load_average": {"before": load_before, "after": load_after},
            "machine": machine,
            "options": vars(options),
            "schedule": schedule,
            "signing": signed,
            "runs": runs,
            "ratios": ratios,
        },
    )
    print(f"Results saved to {options.output}.")
    return 1 if any(run.load.errors or run.load.exhausted for run in runs) else 0


def _model(worker_class: str, options: argparse.Namespace) -> WorkerModel:
    if worker_class == "sync":  # one request per connection, one at a time: no threads, no keep-alive
        return WorkerModel("sync")
    threads = options.threads if worker_class == "gthread" else 1
    return WorkerModel(worker_class, threads=threads, keep_alive=options.keep_alive)


def _progress(run: measurements.Run) -> None:
    issued = f", {run.codes_issued} codes issued in {run.issue_seconds:.1f} s" if run.codes_issued else ""
    print(
        f"{run.scenario}, {run.database}, {run.workers} workers, {run.model.label}: "
        f"{run.load.rate:.1f}/s, {run.load.errors} errors{issued}",
        flush=True,
    )


def _loads(averages: tuple[float, float, float]) -> str:
    return " ".join(f"{value:.2f}" for value in averages)


if __name__ == "__main__":
    raise SystemExit(main())
