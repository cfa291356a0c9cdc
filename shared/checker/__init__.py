"""`liveperson-check`: LivePerson's whole validation run against a brand backend, one line per rule.

The checks themselves are in `checks.py` (plain Python, reusing `shared.validation`); `cli.py`
parses the arguments and prints the report.
"""

from shared.checker.checks import CHECK_IDS, CheckResult, Target, run_checks

__all__ = ["CHECK_IDS", "CheckResult", "Target", "run_checks"]
