"""Fixtures of the stand-in's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import consumer


@pytest.fixture(autouse=True)
def _sockets_closed() -> Iterator[None]:
    """Every messaging socket a test opened is closed after it, whatever the test did."""
    yield
    consumer.close_all()
