"""A stand-in for the seeded backend (tokens valid an hour), and a second pair whose tokens expire
after a few seconds, for the token-expiry tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import servers
from tests.support.servers import LiveServer

SHORT_LIFETIME = 2  # seconds an id_token from `short_backend` is valid


@pytest.fixture(scope="module")
def standin(live_backend: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with servers.standin(tmp_path_factory.mktemp("sdk_standin"), live_backend.url) as server:
        yield server


@pytest.fixture(scope="module")
def short_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("short_backend")
    with servers.backend(folder, ID_TOKEN_LIFETIME=str(SHORT_LIFETIME)) as server:
        yield server


@pytest.fixture(scope="module")
def short_standin(
    short_backend: LiveServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    with servers.standin(tmp_path_factory.mktemp("short_standin"), short_backend.url) as server:
        yield server
