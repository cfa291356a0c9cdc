"""Fixtures every test can use: settings isolated from the developer's environment."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True)
def _no_backend_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's BACKEND_* variables must not change what the tests see."""
    for name in list(os.environ):
        if name.startswith("BACKEND_"):
            monkeypatch.delenv(name)
