"""`python -m bench.summary RESULTS.json...`: the median of several benchmark runs.

Single runs on a shared or virtual machine vary by a fifth; the median of a few runs, taken
alternately for the versions being compared, is the figure worth quoting. Files written before
the load came from wrk read as well: their figures are the same fields.
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
    encoded = [rate for document in documents if (rate := document["signing"].get("jwt_encode_per_second"))]
    if encoded:
        lines.append(f"jwt.encode, 1 core: median {statistics.median(encoded):,.0f}/s  runs {_each(encoded)}")
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
        cpu = [1000 * load["server_cpu"] / load["rate"] for load in loads
               if load["server_cpu"] and load["rate"]]
        lines.append(
            f"{scenario}, {database}, {workers} workers, {model}: median {statistics.median(rates):,.0f}/s, "
            f"p50 {_median(loads, 'p50_ms')} ms, p99 {_median(loads, 'p99_ms')} ms, "
            f"server CPU {f'{statistics.median(cpu):.2f}' if cpu else '-'} ms/req  "
            f"runs {_each(rates)}, errors {sum(load['errors'] for load in loads)}"
        )
    for field, against in (("ratios", ""), ("ratios_jwt_encode", " (against jwt.encode)")):
        ratios = [document.get(field) or {} for document in documents]
        for database in sorted({name for each in ratios for name in each}):
            values = [each[database] for each in ratios if database in each]
            lines.append(
                f"ratio{against}, {database}: median {statistics.median(values):.3f}  runs {_each(values, 3)}"
            )
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
    # Runs before wrk measured with a load generator in Python: say which, never mix them unseen.
    generators = sorted({"wrk" if document["machine"].get("wrk") else "Python" for document in documents})
    print(f"{len(documents)} runs, load from {' and '.join(generators)}")
    print("\n".join(summarize(documents)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
