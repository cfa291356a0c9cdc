"""`liveperson-check`: LivePerson's whole validation run against a brand backend, one line per rule.

`registry.py` lists the checks in order; the checks themselves are in `checks/`, one module per
area (plain Python, reusing `shared.validation`). `run.py` holds what one run has learnt,
`app_client.py` obtains fresh codes from the backend's app API, `token_endpoint.py` sends the
token requests as LivePerson does, and `reasons.py` turns each answer into a report line.
`cli.py` parses the arguments and prints the report.
"""

from shared.checker.reasons import CheckResult
from shared.checker.registry import CHECK_IDS, DELEGATION_CHECK_IDS, run_checks
from shared.checker.run import Target

__all__ = ["CHECK_IDS", "DELEGATION_CHECK_IDS", "CheckResult", "Target", "run_checks"]
