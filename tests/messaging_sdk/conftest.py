"""A stand-in for the seeded backend (tokens valid an hour), and clients that are logged out
after each test, so that no socket or reconnection outlives it. The pair whose tokens expire
after a few seconds, for the token-expiry tests, is in tests/conftest.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from shared.messaging_sdk import AuthenticationParams, MessagingClient
from tests.messaging_sdk.host_app import ACCOUNT, Recorder
from tests.support import servers
from tests.support.servers import LiveServer

Sdk = Callable[..., tuple[MessagingClient, Recorder]]


@pytest.fixture(scope="module")
def standin(live_backend: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with servers.standin(tmp_path_factory.mktemp("sdk_standin"), live_backend.url) as server:
        yield server


@pytest.fixture
def sdk() -> Iterator[Sdk]:
    """`sdk(url_or_standin, params=None, **options)` -> (client, recorder): a client with a
    recording listener; with `params`, its conversation started (asserted)."""
    made: list[MessagingClient] = []

    def make(
        where: LiveServer | str, params: AuthenticationParams | None = None, **options: Any
    ) -> tuple[MessagingClient, Recorder]:
        recorder = Recorder()
        url = where if isinstance(where, str) else where.url
        client = MessagingClient(url, options.pop("account", ACCOUNT), listener=recorder, **options)
        made.append(client)
        if params is not None:
            assert client.start_conversation(params) is not None, recorder.events
        return client, recorder

    yield make
    for client in made:
        client.logout()
