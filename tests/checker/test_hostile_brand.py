"""`liveperson-check` against a brand that tries to take over the checker: escape sequences in
what it answers, and a discovery document that points elsewhere."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from tests.checker import broken_brand
from tests.checker.report import Checker, reasons, statuses

BIN = Path(sys.executable).parent
# Clears the screen, homes the cursor, writes a verdict; C1 CSI, BEL, DEL, a right-to-left override.
HOSTILE = "\x1b[2J\x1b[H\x9b1mALL CHECKS PASSED\x07\x7f\u202e"
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]")


def run(issuer: str, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(BIN / "liveperson-check"),
            issuer,
            "--client-id",
            broken_brand.CLIENT_ID,
            "--client-secret",
            broken_brand.CLIENT_SECRET,
            *options,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_escape_sequences_from_the_brand_are_shown_not_obeyed():
    with broken_brand.serve() as brand:
        brand.app.config["ERROR_DESCRIPTION"] = HOSTILE
        brand.app.config["DISCOVERY"]["token_endpoint"] = f"{brand.issuer}/token?{HOSTILE}"
        lines = run(brand.issuer, "--code=not-a-code")
        document = run(brand.issuer, "--code=not-a-code", "--json")
    assert lines.returncode == document.returncode == 1
    assert not UNSAFE.search(lines.stdout), repr(lines.stdout)
    assert not UNSAFE.search(document.stdout), repr(document.stdout)
    assert r"\x1b[2J\x1b[H\x9b1mALL CHECKS PASSED\x07\x7f\u202e" in lines.stdout
    reported = reasons(json.loads(document.stdout))
    assert "\\x1b[2J" in reported["token-exchange"] and "\\x1b[2J" in reported["discovery"]


def test_a_jwks_on_another_host_is_refused_until_allowed(checker: Checker):
    with broken_brand.serve() as brand, broken_brand.serve() as elsewhere:
        port = elsewhere.issuer.rsplit(":", 1)[1]
        brand.app.config["DISCOVERY"]["jwks_uri"] = f"{elsewhere.issuer}/jwks"
        status, refused = checker(brand.issuer)
        untouched = elsewhere.paths
        allowed_status, allowed = checker(
            brand.issuer,
            "--email",
            broken_brand.EMAIL,
            "--password",
            broken_brand.PASSWORD,
            "--allow-host",
            f"127.0.0.1:{port}",
        )
    assert status == 1 and untouched == []
    assert statuses(refused)["jwks"] == "FAIL"
    assert f"--allow-host 127.0.0.1:{port}" in reasons(refused)["jwks"], reasons(refused)["jwks"]
    assert allowed_status == 0, allowed
    assert set(statuses(allowed).values()) == {"PASS"}


def test_the_client_secret_is_never_sent_to_a_token_endpoint_on_another_host(checker: Checker):
    with broken_brand.serve() as brand, broken_brand.serve() as elsewhere:
        brand.app.config["DISCOVERY"]["token_endpoint"] = f"{elsewhere.issuer}/token"
        status, document = checker(brand.issuer)
        asked = elsewhere.paths
    assert status == 1 and asked == []
    assert statuses(document)["discovery"] == "FAIL"
    assert "--allow-host" in reasons(document)["discovery"]


def test_a_userinfo_endpoint_on_another_host_fails_only_userinfo(checker: Checker):
    with broken_brand.serve() as brand, broken_brand.serve() as elsewhere:
        brand.app.config["DISCOVERY"]["userinfo_endpoint"] = f"{elsewhere.issuer}/userinfo"
        status, document = checker(brand.issuer)
        asked = elsewhere.paths
    assert status == 1 and asked == []
    failed = {check: state for check, state in statuses(document).items() if state != "PASS"}
    assert failed == {"userinfo": "FAIL"}
