"""A stand-in for the seeded backend (tokens valid an hour); the pair whose tokens expire after a
few seconds, for the token-expiry tests, is in tests/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import servers
from tests.support.servers import LiveServer


@pytest.fixture(scope="module")
def standin(live_backend: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with servers.standin(tmp_path_factory.mktemp("sdk_standin"), live_backend.url) as server:
        yield server

