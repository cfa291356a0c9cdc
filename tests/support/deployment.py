"""Several backend instances over one shared PostgreSQL, as tests/scale deploys them, and the
helpers that drive them from outside (HTTP and the `flask` CLI) and check what they answer."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import jwt
import requests

from shared.contract import REDIRECT_URIS as LIVEPERSON_REDIRECT_URIS
from tests.support import servers
from tests.support.backend_app import bearer
from tests.support.http_api import CLIENT_ID, CLIENT_SECRET, TIMEOUT

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
        return start_instance(folder, self.settings)

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


def start_instance(folder: Path, settings: dict[str, str]) -> AbstractContextManager[servers.LiveServer]:
    return servers.backend(folder, workers=2, **settings)


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
