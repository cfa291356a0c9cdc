"""The backend scaled out: several stateless gunicorn instances over one shared PostgreSQL,
configured alike as every instance of a real deployment is, and driven only from outside
(HTTP and the `flask` CLI), so they hold however the backend is built inside
(tests/support/deployment.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from tests.support import postgres
from tests.support.deployment import ISSUER, KEY_REFRESH_INTERVAL, Deployment, me, start_instance
from tests.support.http_api import api_login


@pytest.fixture(scope="session")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    """Instances A and B over one throwaway PostgreSQL cluster."""
    with ExitStack() as stack:
        url = stack.enter_context(postgres.cluster())
        settings = {
            "DATABASE_URL": url,
            # Signs the cookies and encrypts the private keys at rest: shared by every instance.
            "SECRET_KEY": "scale-tests-secret-key-shared-by-every-instance",
            "ISSUER": ISSUER,
            "KEY_REFRESH_INTERVAL": str(KEY_REFRESH_INTERVAL),
            # Codes are issued before a load runs; a busy machine must not let them expire.
            "CODE_LIFETIME": "600",
        }
        a = stack.enter_context(start_instance(tmp_path_factory.mktemp("instance_a"), settings))
        b = stack.enter_context(start_instance(tmp_path_factory.mktemp("instance_b"), settings))
        yield Deployment(settings, a, b)


@pytest.fixture(scope="session")
def demo_sub(deployment: Deployment) -> str:
    """The demo user's `sub`, as the user's own app sees it."""
    return me(deployment.a.url, api_login(deployment.a.url)).json()["sub"]
