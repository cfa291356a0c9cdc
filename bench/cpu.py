"""CPU use read from Linux's /proc during a load run, to tell a saturated server from a busy
machine: the share of all cores that was busy, and the cores the backend's processes used.
Elsewhere there is no /proc, and the figures are None."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")


@dataclass(frozen=True)
class Sample:
    at: float  # time.perf_counter()
    machine: tuple[int, int] | None  # busy and total clock ticks of all cores since boot
    group: int | None  # clock ticks used by the process group's live processes


@dataclass(frozen=True)
class Usage:
    machine: float | None  # share of all cores busy, whoever used them
    group: float | None  # cores the process group used: 1.0 is one core all the time


def sample(group: int) -> Sample:
    """Now, for the process group led by `group` (gunicorn starts its workers in its own)."""
    return Sample(time.perf_counter(), _machine_ticks(), _group_ticks(group))


def between(before: Sample, after: Sample) -> Usage:
    machine = None
    if before.machine and after.machine and after.machine[1] > before.machine[1]:
        machine = (after.machine[0] - before.machine[0]) / (after.machine[1] - before.machine[1])
    group = None
    if before.group is not None and after.group is not None and after.at > before.at:
        group = (after.group - before.group) / os.sysconf("SC_CLK_TCK") / (after.at - before.at)
    return Usage(machine, group)


def _machine_ticks() -> tuple[int, int] | None:
    try:
        first_line = (PROC / "stat").read_text().split("\n", 1)[0]
    except OSError:
        return None
    ticks = [int(value) for value in first_line.split()[1:9]]
    idle = ticks[3] + ticks[4]  # idle and iowait
    return sum(ticks) - idle, sum(ticks)


def _group_ticks(group: int) -> int | None:
    try:
        entries = [entry for entry in os.listdir(PROC) if entry.isdigit()]
    except OSError:
        return None
    total = 0
    for entry in entries:
        try:
            stat = (PROC / entry / "stat").read_text()
        except OSError:
            continue  # exited meanwhile
        # After the command name in parentheses: state, ppid, pgrp, ..., utime (12th), stime (13th).
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == group:
            total += int(fields[11]) + int(fields[12])
    return total
