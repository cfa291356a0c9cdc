"""`python -m bench [options]`, from the repository root: measure the RS256 signing rate, the
token endpoint (1 and 2 gunicorn workers, SQLite and PostgreSQL) and conversations authenticated
through the LivePerson stand-in, under load from wrk; print a table and save every figure as
JSON. Exits with 1 when any answer was wrong or a run ran out of codes, so a doubtful figure
cannot pass unnoticed."""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench import measurements, postgres, report, signing, workers, wrk
from bench.backend import DATABASES, Backend, started
from bench.workers import WorkerModel


@dataclass(frozen=True)
class Timing:
    duration: int  # seconds measured per load run (wrk counts whole seconds)
    warmup: int  # seconds of load before measuring
    signing: float  # seconds of signing before each load run


DEFAULT = Timing(duration=8, warmup=1, signing=1.0)
QUICK = Timing(duration=2, warmup=1, signing=0.4)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--only", choices=DATABASES, help="one database instead of both")
    p.add_argument("--duration", type=int, help=f"seconds measured per run (default {DEFAULT.duration})")
    p.add_argument("--warmup", type=int, help=f"seconds of load before measuring (default {DEFAULT.warmup})")
    p.add_argument(
        "--concurrency", "--connections", type=int, default=8,
        help="wrk's connections: requests in flight (default 8)",
    )
    p.add_argument("--wrk-threads", type=int, default=1, help="wrk's threads (default 1)")
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
    schedule = wrk.Schedule(
        connections=options.concurrency,
        threads=options.wrk_threads,
        warmup=timing.warmup if options.warmup is None else options.warmup,
        duration=timing.duration if options.duration is None else options.duration,
    )
    chosen = _model(options.worker_class, options) if options.worker_class else workers.configured()
    others = [_model(name, options) for name in workers.available_classes() if name != chosen.worker_class]
    configurations = [(1, chosen), (2, chosen), *((2, model) for model in others if options.compare_workers)]
    databases = [options.only] if options.only else list(DATABASES)
    if "postgresql" in databases and (reason := postgres.missing()):
        print(f"{reason}: PostgreSQL is skipped.")
        databases.remove("postgresql")
    if not databases:
        return 1

    wrk.executable()  # installed, or the reason it is not, before anything starts
    began, started_at, load_before = time.monotonic(), datetime.now(UTC), os.getloadavg()
    machine = report.machine()
    print(f"{machine['cpu_count']} CPUs ({machine['cpu_model']}), load average {_loads(load_before)}")
    runs: list[measurements.Run] = []
    for database in databases:
        for count, model in configurations:
            with started(database, count, model) as live:
                runs.append(measurements.token_endpoint(live, schedule, _signed(live, timing)))
            _progress(runs[-1])
    if not options.skip_e2e:
        with started(databases[0], 2, chosen) as live:
            runs.append(measurements.conversations(live, schedule, _signed(live, timing)))
        _progress(runs[-1])
    signed = signing.median([run.signing for run in runs])
    wall, load_after = time.monotonic() - began, os.getloadavg()

    # Over the median of the signing rates measured through the run: other work on the machine
    # comes and goes, and one measurement beside one load run swings as much as the load does.
    ratios = report.ratios(runs, signed.signs_per_second)
    jwt_ratios = report.ratios(runs, signed.jwt_encode_per_second)
    print()
    print(report.table(signed, runs))
    print()
    print("\n".join(report.ratio_lines(ratios, jwt_ratios) + report.warnings(runs)))
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
            "ratios_jwt_encode": jwt_ratios,
        },
    )
    print(f"Results saved to {options.output}.")
    return 1 if any(run.load.errors or run.load.exhausted for run in runs) else 0


def _model(worker_class: str, options: argparse.Namespace) -> WorkerModel:
    if worker_class == "sync":  # one request per connection, one at a time: no threads, no keep-alive
        return WorkerModel("sync")
    threads = options.threads if worker_class == "gthread" else 1
    return WorkerModel(worker_class, threads=threads, keep_alive=options.keep_alive)


def _signed(live: Backend, timing: Timing) -> signing.SigningResult:
    """The signing rate now, on this backend's key, while the server is idle."""
    return signing.measure(live, measurements.one_exchange(live), timing.signing)


def _progress(run: measurements.Run) -> None:
    print(
        f"{run.scenario}, {run.database}, {run.workers} workers, {run.model.label}: "
        f"{run.load.rate:.1f}/s, p99 {run.load.p99_ms or 0:.1f} ms, {run.load.errors} errors; "
        f"RS256 {run.signing.signs_per_second:.0f} signs/s, "
        f"jwt.encode {run.signing.jwt_encode_per_second:.0f}/s; "
        f"{run.codes_issued} codes issued in {run.issue_seconds:.1f} s",
        flush=True,
    )


def _loads(averages: tuple[float, float, float]) -> str:
    return " ".join(f"{value:.2f}" for value in averages)


if __name__ == "__main__":
    raise SystemExit(main())
