"""The `checker` fixture: `liveperson-check` run in-process against a fake brand."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shared.checker import cli
from tests.checker import broken_brand
from tests.checker.report import Checker, assert_well_formed


@pytest.fixture
def checker(capsys: pytest.CaptureFixture[str]) -> Checker:
    """Runs the checker in-process against a fake brand; returns exit status and JSON document.
    Without options it logs in as the fake brand's customer."""

    def run(issuer: str, *options: str) -> tuple[int, dict[str, Any]]:
        login = options or ("--email", broken_brand.EMAIL, "--password", broken_brand.PASSWORD)
        status = cli.main(
            [
                issuer,
                "--client-id",
                broken_brand.CLIENT_ID,
                "--client-secret",
                broken_brand.CLIENT_SECRET,
                "--json",
                *login,
            ]
        )
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err
        document = json.loads(captured.out)
        assert_well_formed(document)
        return status, document

    return run
