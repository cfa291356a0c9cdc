"""`liveperson-check` against the project's own backend (every check passes) and against a fake
brand with one deliberate fault per test (exactly that check fails, with a telling reason)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from shared.checker import CHECK_IDS, cli
from shared.checker.run import NEEDS_FRESH_CODE
from tests.checker import broken_brand
from tests.checker.report import assert_well_formed, reasons, statuses
from tests.support import servers

BIN = Path(sys.executable).parent
TIMEOUT = 60
FRESH_CODE_CHECKS = {"client-auth-basic", "client-auth-post", "redirect-uri-mismatch", "wrong-secret", "pkce"}
# fault -> (the one check that must fail, a word its reason must contain)
EXPECTED = {
    "hs256": ("id-token-alg", "HS256"),
    "alg-none": ("id-token-alg", "alg none"),
    "no-kid": ("id-token-kid", "kid"),
    "wrong-iss": ("id-token-iss", "iss"),
    "exp-milliseconds": ("id-token-times", "milliseconds"),
    "exp-string": ("id-token-times", "string"),
    "expired": ("id-token-times", "expired"),
    "reused-code": ("code-reuse", "second time"),
    "wrong-secret": ("wrong-secret", "wrong client secret"),
    "redirect-mismatch": ("redirect-uri-mismatch", "redirect_uri"),
    "no-store": ("no-store", "no-store is missing"),
    "sdes-object": ("lp-sdes", "object"),
    "endless-userinfo": ("userinfo", "larger than"),
}

# -- the project's own backend -----------------------------------------------------------------


def run_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "liveperson-check"), *args], capture_output=True, text=True, timeout=TIMEOUT, check=False
    )


def demo_arguments(backend: servers.LiveServer) -> list[str]:
    return [backend.url, "--client-id", "liveperson-demo", "--client-secret", "demo-client-secret", "--json"]


def test_the_demo_backend_passes_every_check(live_backend):
    result = run_script(
        *demo_arguments(live_backend), "--email", "demo@example.com", "--password", "demo-password"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    document = json.loads(result.stdout)
    assert_well_formed(document)
    assert document["passed"] is True
    assert statuses(document) == dict.fromkeys(CHECK_IDS, "PASS"), result.stdout


def test_with_a_hand_made_code_the_fresh_code_checks_are_skipped(live_backend):
    session = requests.post(
        f"{live_backend.url}/api/session",
        timeout=TIMEOUT,
        json={"email": "demo@example.com", "password": "demo-password"},
    )
    headers = {"Authorization": f"Bearer {session.json()['session_token']}"}
    issued = requests.post(
        f"{live_backend.url}/api/liveperson/code", json={}, headers=headers, timeout=TIMEOUT
    ).json()
    result = run_script(
        *demo_arguments(live_backend), f"--code={issued['code']}", "--redirect-uri", issued["redirect_uri"]
    )
    assert result.returncode == 0, result.stdout + result.stderr
    document = json.loads(result.stdout)
    assert_well_formed(document)
    assert document["passed"] is True
    expected = {check: "WARN" if check in FRESH_CODE_CHECKS else "PASS" for check in CHECK_IDS}
    assert statuses(document) == expected, result.stdout
    for check in document["checks"]:
        if check["id"] in FRESH_CODE_CHECKS:
            assert check["reason"] == NEEDS_FRESH_CODE


# -- a fake brand, healthy or broken --------------------------------------------------------------


def test_every_fault_has_an_expectation():
    assert set(EXPECTED) == set(broken_brand.FAULTS) - {"no-pkce"}


def test_the_healthy_fake_brand_passes_every_check(checker):
    with broken_brand.serve() as brand:
        status, document = checker(brand.issuer)
    assert status == 0
    assert statuses(document) == dict.fromkeys(CHECK_IDS, "PASS"), document
    # The stand-in's inspector says the same (tests/liveperson/test_inspector.py).
    assert reasons(document)["lp-sdes"] == "lp_sdes: an array of 2 SDEs (ctmrinfo, personal)."


@pytest.mark.parametrize("fault", sorted(EXPECTED))
def test_a_broken_brand_fails_exactly_the_check_it_breaks(checker, fault):
    check_id, word = EXPECTED[fault]
    with broken_brand.serve(fault) as brand:
        status, document = checker(brand.issuer)
    assert status == 1
    assert document["passed"] is False
    failed = {check["id"]: check["reason"] for check in document["checks"] if check["status"] == "FAIL"}
    assert list(failed) == [check_id], document
    assert word.lower() in failed[check_id].lower()
    others = {check: state for check, state in statuses(document).items() if check != check_id}
    assert set(others.values()) == {"PASS"}, document


def test_a_backend_without_pkce_is_a_warning_not_a_failure(checker):
    with broken_brand.serve("no-pkce") as brand:
        status, document = checker(brand.issuer)
    assert status == 0
    assert statuses(document)["pkce"] == "WARN"
    assert "S256" in next(c["reason"] for c in document["checks"] if c["id"] == "pkce")


def test_lines_and_exit_status_from_python_dash_m(tmp_path):
    """The plain output: one `check-id  STATUS  reason` line per check, in the documented order."""
    with broken_brand.serve("no-store") as brand:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "shared.checker",
                brand.issuer,
                "--client-id",
                broken_brand.CLIENT_ID,
                "--client-secret",
                broken_brand.CLIENT_SECRET,
                "--email",
                broken_brand.EMAIL,
                "--password",
                broken_brand.PASSWORD,
            ],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
            cwd=servers.ROOT,
        )
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    parsed = [re.fullmatch(r"(\S+) +(PASS|WARN|FAIL)  (\S.*)", line) for line in lines]
    assert all(parsed), lines
    assert [match.group(1) for match in parsed if match] == list(CHECK_IDS)
    assert {match.group(1): match.group(2) for match in parsed if match}["no-store"] == "FAIL"


def test_an_unreachable_brand_is_reported_not_raised(checker):
    status, document = checker(
        f"http://127.0.0.1:{servers.free_port()}",
        "--timeout",
        "2",
        "--email",
        broken_brand.EMAIL,
        "--password",
        broken_brand.PASSWORD,
    )
    assert status == 1
    assert statuses(document)["discovery"] == "FAIL"
    for check in document["checks"][1:]:
        assert check["status"] == "WARN"
        assert check["reason"].startswith("not checked:"), check


def test_a_refused_login_fails_the_code_checks_and_is_tried_once(checker):
    with broken_brand.serve() as brand:
        status, document = checker(brand.issuer, "--email", broken_brand.EMAIL, "--password", "wrong")
        logins = brand.logins
    assert status == 1
    assert logins == 1
    failed = {check["id"]: check["reason"] for check in document["checks"] if check["status"] == "FAIL"}
    assert set(failed) == {"token-exchange"} | FRESH_CODE_CHECKS
    assert all("Could not log in" in reason for reason in failed.values())
    assert statuses(document)["discovery"] == "PASS"


@pytest.mark.parametrize(
    "arguments",
    [
        [],  # neither --code nor --email
        ["--code", "c", "--email", "e@example.com", "--password", "p"],
        ["--email", "e@example.com"],  # no --password
        ["--code", "c", "--password", "p"],
        ["--code", "c", "--timeout", "0"],
        ["--code", ""],
    ],
)
def test_usage_errors_exit_with_status_2(arguments, capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(["https://brand.example", "--client-id", "i", "--client-secret", "s", *arguments])
    assert exited.value.code == 2
    assert "usage: liveperson-check" in capsys.readouterr().err


def test_a_code_beginning_with_a_dash_is_accepted_after_an_equals_sign():
    target, _ = cli.parse_target(
        ["https://brand.example", "--client-id", "i", "--client-secret", "s", "--code=-x1"]
    )
    assert target.code == "-x1"
