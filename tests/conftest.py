"""Fixtures every test can use: settings isolated from the developer's environment."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.support import servers
from tests.support.servers import SHORT_LIFETIME

pytest_plugins = ["tests.support.browser_fixtures"]

# The settings prefixes of the backend, the stand-in and the web client.
SETTINGS_PREFIXES = ("BACKEND_", "LIVEPERSON_", "WEB_CLIENT_")


@pytest.fixture(autouse=True)
def _no_developer_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own settings in the environment must not change what the tests see."""
    for name in list(os.environ):
        if name.startswith(SETTINGS_PREFIXES):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def live_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[servers.LiveServer]:
    """The seeded demo backend under gunicorn with two workers, on a free loopback port."""
    with servers.backend(tmp_path_factory.mktemp("live_backend")) as server:
        yield server


@pytest.fixture(scope="session")
def short_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[servers.LiveServer]:
    """A seeded backend whose id_tokens expire after SHORT_LIFETIME seconds, for expiry tests."""
    folder = tmp_path_factory.mktemp("short_backend")
    with servers.backend(folder, ID_TOKEN_LIFETIME=str(SHORT_LIFETIME)) as server:
        yield server


@pytest.fixture(scope="session")
def short_standin(
    short_backend: servers.LiveServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[servers.LiveServer]:
    with servers.standin(tmp_path_factory.mktemp("short_standin"), short_backend.url) as server:
        yield server
