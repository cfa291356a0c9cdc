"""The load generator: `wrk` (written in C, an event loop per thread) with bench/redeem.lua.

A load generator in Python shared the two cores with the server and took half of them: wrk's
CPU per request is a small fraction of the server's, so the figure is the server's. Every
request spends one pre-issued code, and every answer is checked by the script: anything but a
200 carrying the expected field is an error, never a success.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import cpu
from bench.processes import ROOT

SCRIPT = Path(__file__).with_name("redeem.lua")
TIMEOUT = "30s"  # for one answer, as gunicorn's worker timeout: a hung server is an error
RESULT_PREFIX = "bench-result "  # the line redeem.lua's done() prints
INSTALL_HINT = "apt-get install wrk (Debian, Ubuntu), brew install wrk (macOS)"


@dataclass(frozen=True)
class Schedule:
    connections: int  # wrk -c: requests in flight, each waiting for its answer before the next
    threads: int  # wrk -t: the load generator's event loops (each takes connections / threads)
    warmup: int  # seconds run first and not counted, while pools and caches fill up
    duration: int  # seconds measured (wrk counts whole seconds)


@dataclass(frozen=True)
class Target:
    """One kind of request: POST to `url` with the body `prefix` + code + `suffix`."""

    url: str
    headers: dict[str, str]
    prefix: str
    suffix: str
    expect: str  # text a successful (200) answer contains


@dataclass(frozen=True)
class LoadResult:
    completed: int  # correct answers in the measured run
    rate: float  # completed per second
    p50_ms: float | None
    p90_ms: float | None
    p99_ms: float | None
    p999_ms: float | None
    max_ms: float | None
    errors: int  # wrong answers and socket errors, warm-up included
    error_samples: list[str]
    loadgen_cpu: float  # cores wrk used in the measured run: 1.0 is one core all the time
    machine_cpu: float | None  # share of all cores busy in the measured run, whoever used them
    server_cpu: float | None  # cores gunicorn's processes used in the measured run
    exhausted: bool  # the pre-issued codes ran out: the rate is then a lower bound
    wrk_output: str = field(repr=False)  # wrk's own report of the measured run (--latency)


@dataclass(frozen=True)
class _Phase:
    """What redeem.lua reported for one wrk run, and what the run cost."""

    requests: int  # answers, right or wrong
    seconds: float
    failures: int  # wrong answers
    unanswered: int  # wrk's socket errors: connect, read, write, timeout
    exhausted: bool
    percentiles_ms: dict[float, float]  # of every answer's latency
    max_ms: float
    samples: list[str]  # the first wrong answer of each wrk thread
    output: str  # wrk's own report
    cpu: cpu.Usage
    loadgen_cpu: float  # cores wrk used

    @property
    def errors(self) -> int:
        # wrk counts non-2xx/3xx answers apart too: the script's failures include them.
        return self.failures + self.unanswered


def executable() -> str:
    """wrk's path; installed as bin/test installs system packages when it is missing."""
    found = shutil.which("wrk")
    if found is None:
        print(f"wrk is missing; installing it ({INSTALL_HINT}) with bin/_setup.sh ...", flush=True)
        subprocess.run(
            ["bash", "-c", "source bin/_setup.sh && install_system_package wrk wrk"],  # noqa: S607 (fixed)
            cwd=ROOT,
            check=False,
        )
        found = shutil.which("wrk")
    if found is None:
        raise SystemExit(f"The benchmark's load comes from wrk: install it ({INSTALL_HINT}).")
    return found


def run(target: Target, codes: list[str], schedule: Schedule, server_group: int) -> LoadResult:
    """A warm-up run, then the measured run, each spending its share of `codes`.
    `server_group` is the process group whose CPU use is measured."""
    total = schedule.warmup + schedule.duration
    split = len(codes) * schedule.warmup // total
    phases = [
        _phase(target, part, seconds, schedule, server_group)
        for part, seconds in ((codes[:split], schedule.warmup), (codes[split:], schedule.duration))
        if seconds
    ]
    measured = phases[-1]
    completed = measured.requests - measured.failures
    answered = measured.percentiles_ms if completed else {}
    return LoadResult(
        completed=completed,
        rate=completed / measured.seconds,
        p50_ms=answered.get(50.0),
        p90_ms=answered.get(90.0),
        p99_ms=answered.get(99.0),
        p999_ms=answered.get(99.9),
        max_ms=measured.max_ms if completed else None,
        errors=sum(phase.errors for phase in phases),
        error_samples=[sample for phase in phases for sample in phase.samples][:5],
        loadgen_cpu=measured.loadgen_cpu,
        machine_cpu=measured.cpu.machine,
        server_cpu=measured.cpu.group,
        exhausted=any(phase.exhausted for phase in phases),
        wrk_output=measured.output,
    )


def _phase(target: Target, codes: list[str], seconds: int, schedule: Schedule, server_group: int) -> _Phase:
    with tempfile.TemporaryDirectory(prefix="bench-codes-") as folder:
        # One file per wrk thread: a code is spent once, so no two threads may share one.
        for number in range(1, schedule.threads + 1):
            lines = codes[number - 1 :: schedule.threads]
            (Path(folder) / f"codes-{number}.txt").write_text("".join(f"{code}\n" for code in lines))
        command = [
            executable(), "--threads", str(schedule.threads), "--connections", str(schedule.connections),
            "--duration", f"{seconds}s", "--timeout", TIMEOUT, "--latency", "--script", str(SCRIPT),
            target.url, "--", str(Path(folder) / "codes-%d.txt"), target.prefix, target.suffix, target.expect,
        ]  # fmt: skip
        # Headers in the environment: the Basic credentials stay off the process list.
        headers = "\n".join(f"{name}: {value}" for name, value in target.headers.items())
        env = {**os.environ, "BENCH_HEADERS": headers}
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        before, started = cpu.sample(server_group), time.perf_counter()
        finished = subprocess.run(  # noqa: S603 (the bench's own arguments, no shell)
            command, capture_output=True, text=True, env=env, check=False
        )
        after, wall = cpu.sample(server_group), time.perf_counter() - started
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
    lines = finished.stdout.splitlines()
    reports = [line.removeprefix(RESULT_PREFIX) for line in lines if line.startswith(RESULT_PREFIX)]
    if finished.returncode != 0 or not reports:
        raise RuntimeError(f"wrk failed ({finished.returncode}):\n{finished.stdout}\n{finished.stderr}")
    report = json.loads(reports[-1])
    used = children.ru_utime + children.ru_stime - children_before.ru_utime - children_before.ru_stime
    return _Phase(
        requests=report["requests"],
        seconds=report["duration_us"] / 1e6,
        failures=report["failures"],
        unanswered=sum(report["socket_errors"].values()),
        exhausted=report["exhausted"],
        percentiles_ms={float(p): us / 1000 for p, us in report["latency_us"]["percentiles"].items()},
        max_ms=report["latency_us"]["max"] / 1000,
        samples=report["samples"],
        output="\n".join(line for line in lines if not line.startswith(RESULT_PREFIX)),
        cpu=cpu.between(before, after),
        loadgen_cpu=used / wall,
    )
