"""Reading the checker's JSON report in tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.checker import CHECK_IDS, DELEGATION_CHECK_IDS

# Runs the checker against an issuer with extra options; returns exit status and JSON document.
Checker = Callable[..., tuple[int, dict[str, Any]]]


def statuses(document: dict[str, Any]) -> dict[str, str]:
    return {check["id"]: check["status"] for check in document["checks"]}


def reasons(document: dict[str, Any]) -> dict[str, str]:
    return {check["id"]: check["reason"] for check in document["checks"]}


def assert_well_formed(document: dict[str, Any], delegation: bool = False) -> None:
    """Every check once, in the registry's order; the delegation checks last, when asked for."""
    expected = [*CHECK_IDS, *(DELEGATION_CHECK_IDS if delegation else ())]
    assert [check["id"] for check in document["checks"]] == expected
    for check in document["checks"]:
        assert check["status"] in ("PASS", "WARN", "FAIL")
        assert check["reason"].strip()
    assert document["passed"] == all(check["status"] != "FAIL" for check in document["checks"])
