"""`liveperson-check --delegation-scope`: the Consumer Delegation checks against the project's
backend, whose customer has consented once; and what the report says without that consent."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from shared.checker import DELEGATION_CHECK_IDS
from tests.checker.report import assert_well_formed
from tests.checker.test_checker import demo_arguments, run_script, statuses
from tests.support import http_api, servers
from tests.support.servers import LiveServer


def delegation_arguments(backend: LiveServer) -> list[str]:
    return [*demo_arguments(backend), "--email", http_api.EMAIL, "--password", http_api.PASSWORD,
            "--delegation-scope", "orders.read", "--brand-api", f"{backend.url}/api/v1/orders"]


@pytest.fixture
def fresh_backend(tmp_path) -> Iterator[LiveServer]:
    with servers.backend(tmp_path, workers=1) as server:
        yield server


def test_a_backend_the_customer_consented_to_passes_the_delegation_checks(fresh_backend):
    http_api.delegated_tokens(fresh_backend.url)  # the customer allows the client once, on the consent page
    result = run_script(*delegation_arguments(fresh_backend))
    document = json.loads(result.stdout)
    assert_well_formed(document, delegation=True)
    checks = statuses(document)
    assert checks == {**checks, **dict.fromkeys(DELEGATION_CHECK_IDS, "PASS")}, result.stdout
    assert result.returncode == 0, result.stdout


def test_without_consent_the_delegation_checks_say_why_they_did_not_run(fresh_backend):
    document = json.loads(run_script(*delegation_arguments(fresh_backend)).stdout)
    assert_well_formed(document, delegation=True)
    checks = {check["id"]: check for check in document["checks"]}
    assert checks["delegation-refresh"]["status"] == "WARN"
    assert "consented" in checks["delegation-refresh"]["reason"]
    for later in DELEGATION_CHECK_IDS[1:]:
        assert checks[later]["status"] == "WARN"
    assert document["passed"] is True  # delegation is a feature, not a requirement


def test_the_delegation_checks_run_only_when_asked_for(live_backend):
    arguments = [*demo_arguments(live_backend), "--email", http_api.EMAIL, "--password", http_api.PASSWORD]
    document = json.loads(run_script(*arguments).stdout)
    assert not set(statuses(document)) & set(DELEGATION_CHECK_IDS)


def test_the_delegation_scope_needs_a_login(live_backend):
    result = run_script(*demo_arguments(live_backend), "--code=abc", "--delegation-scope", "orders.read")
    assert result.returncode == 2
    assert "--delegation-scope needs --email" in result.stderr
