"""`python -m bench.summary RESULTS.json...`: the median of several benchmark runs.

Single runs on a shared or virtual machine vary by a fifth; the median of a few runs, taken
alternately for the versions being compared, is the figure worth quoting.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path
from typing import Any


def summarize(documents: list[dict[str, Any]]) -> list[str]:
    """One line per measurement: the median rate, p50 and p99 over the runs, and each run's rate."""
    signs = [document["signing"]["signs_per_second"] for document in documents]
    lines = [f"RS256 sign, 1 core: median {statistics.median(signs):,.0f}/s  runs {_each(signs)}"]
    measured: dict[tuple[str, str, int, str], list[dict[str, Any]]] = {}
    for document in documents:
        for run in document["runs"]:
            model = run["model"]["worker_class"] + (
                f"x{run['model']['threads']}" if run["model"]["threads"] > 1 else ""
            )
            key = (run["scenario"], run["database"], run["workers"], model)
            measured.setdefault(key, []).append(run["load"])
    for (scenario, database, workers, model), loads in measured.items():
        rates = [load["rate"] for load in loads]
        lines.append(
            f"{scenario}, {database}, {workers} workers, {model}: median {statistics.median(rates):,.0f}/s, "
            f"p50 {_median(loads, 'p50_ms')} ms, p99 {_median(loads, 'p99_ms')} ms  "
            f"runs {_each(rates)}, errors {sum(load['errors'] for load in loads)}"
        )
    for database in sorted({name for document in documents for name in document["ratios"]}):
        values = [document["ratios"][database] for document in documents if database in document["ratios"]]
        lines.append(f"ratio, {database}: median {statistics.median(values):.3f}  runs {_each(values, 3)}")
    return lines


def _median(loads: list[dict[str, Any]], field: str) -> str:
    values = [load[field] for load in loads if load[field] is not None]
    return f"{statistics.median(values):.1f}" if values else "-"


def _each(values: list[float], digits: int = 0) -> str:
    return ", ".join(f"{value:,.{digits}f}" for value in values)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.summary", description=__doc__)
    parser.add_argument("results", nargs="+", type=Path, help="JSON files written by python -m bench")
    options = parser.parse_args(argv)
    documents = [json.loads(path.read_text()) for path in options.results]
    print(f"{len(documents)} runs")
    print("\n".join(summarize(documents)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
