"""The backend scaled out: several stateless gunicorn instances over one shared PostgreSQL,
configured alike as every instance of a real deployment is, and driven only from outside
(HTTP and the `flask` CLI), so they hold however the backend is built inside."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import jwt
import pytest
import requests

from shared.contract import REDIRECT_URIS as LIVEPERSON_REDIRECT_URIS
from tests.backend.conftest import bearer
from tests.integration.conftest import CLIENT_ID, CLIENT_SECRET, TIMEOUT, api_login
from tests.support import postgres, servers

# Not any instance's URL: behind a load balancer the issuer is the brand's public name, and
# each instance must sign with it whatever address the request reached.
ISSUER = "https://brand.example"
KEY_REFRESH_INTERVAL = 2  # seconds; small, so a rotated key starts signing within the test
REDIRECT_URI = LIVEPERSON_REDIRECT_URIS[0]  # the demo client's first: the app API's default

T = TypeVar("T")


@dataclass(frozen=True)
class Deployment:
    settings: dict[str, str]  # BACKEND_* values without the prefix, the same for every instance
    a: servers.LiveServer
    b: servers.LiveServer

    def instance(self, folder: Path) -> AbstractContextManager[servers.LiveServer]:
        """One more instance of the same deployment (it runs init-db and seed-demo too)."""
        return _instance(folder, self.settings)

    def flask(self, *args: str) -> str:
        """`flask --app backend ARGS` as an operator runs it beside the instances; its output."""
        # The environment servers.backend gives the instances, with the same settings.
        env = servers.environment(("BACKEND_",), **{f"BACKEND_{k}": v for k, v in self.settings.items()})
        result = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "backend", *args],
            cwd=servers.ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, f"{args}:\n{result.stdout}\n{result.stderr}"
        return result.stdout


def _instance(folder: Path, settings: dict[str, str]) -> AbstractContextManager[servers.LiveServer]:
    return servers.backend(folder, workers=2, **settings)


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
        a = stack.enter_context(_instance(tmp_path_factory.mktemp("instance_a"), settings))
        b = stack.enter_context(_instance(tmp_path_factory.mktemp("instance_b"), settings))
        yield Deployment(settings, a, b)


@pytest.fixture(scope="session")
def demo_sub(deployment: Deployment) -> str:
    """The demo user's `sub`, as the user's own app sees it."""
    return me(deployment.a.url, api_login(deployment.a.url)).json()["sub"]


# -- helpers: what LivePerson and the brand's apps send ----------------------------------


def together(calls: list[Callable[[], T]]) -> list[T]:
    """Run `calls` on as many threads, released at once by a barrier; their results in order."""
    start = threading.Barrier(len(calls))

    def run(call: Callable[[], T]) -> T:
        start.wait(timeout=TIMEOUT)
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def redeem(base: str, code: str, redirect_uri: str = REDIRECT_URI) -> requests.Response:
    """POST /oauth2/v3/token as LivePerson does, with HTTP Basic client credentials."""
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    return requests.post(
        f"{base}/oauth2/v3/token", data=form, auth=(CLIENT_ID, CLIENT_SECRET), timeout=TIMEOUT
    )


def me(base: str, session_token: str) -> requests.Response:
    return requests.get(f"{base}/api/me", headers=bearer(session_token), timeout=TIMEOUT)


def userinfo(base: str, access_token: str) -> requests.Response:
    return requests.get(f"{base}/oauth2/v3/userinfo", headers=bearer(access_token), timeout=TIMEOUT)


def jwks(base: str) -> dict[str, Any]:
    response = requests.get(f"{base}/oauth2/v3/certs", timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    return response.json()


def kids(key_set: dict[str, Any]) -> set[str]:
    return {key["kid"] for key in key_set["keys"]}


class VerifiedToken(NamedTuple):
    header: dict[str, Any]
    claims: dict[str, Any]


def verified(id_token: str, key_set: dict[str, Any], sub: str) -> VerifiedToken:
    """The id_token as LivePerson checks it: RS256 with the JWKS key its kid names, then iss,
    aud, sub and the validity times."""
    key = jwt.PyJWKSet.from_dict(key_set)[jwt.get_unverified_header(id_token)["kid"]]
    token = jwt.decode_complete(
        id_token, key, algorithms=["RS256"], issuer=ISSUER, audience=CLIENT_ID, subject=sub,
        options={"require": ["iss", "aud", "sub", "exp", "iat"]},
    )
    return VerifiedToken(token["header"], token["payload"])
