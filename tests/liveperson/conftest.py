"""Fixtures of the stand-in's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import consumer, delegation


@pytest.fixture(autouse=True)
def _sockets_closed() -> Iterator[None]:
    """Every messaging socket a test opened is closed after it, whatever the test did."""
    yield
    consumer.close_all()


@pytest.fixture(scope="package")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[delegation.Stack]:
    """Consumer Delegation's processes (tests/support/delegation.py), for the tests that need them."""
    with delegation.stack(tmp_path_factory.mktemp("delegation")) as running:
        yield running

