"""The stand-in's options for a hostile or unusual brand: where the discovery document may send
it (--allow-host), and its client secret kept off the command line; and the secret of its app
installation (Consumer Delegation's Get Tokens API), never on it."""

from __future__ import annotations

import secrets
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager as ContextManager
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from shared.liveperson import create_app
from shared.liveperson.settings import APP_SECRET_FILE, from_arguments
from tests.checker import broken_brand
from tests.checker.terminal import in_terminal
from tests.liveperson.test_standin import (
    TIMEOUT,
    app_login,
    authenticate,
    authenticated_sub,
    code_for,
    refusal,
)
from tests.support import servers
from tests.support.servers import LiveServer


def brand_code(brand: broken_brand.RunningBrand) -> str:
    session = requests.post(
        f"{brand.issuer}/api/session",
        json={"email": broken_brand.EMAIL, "password": broken_brand.PASSWORD},
        timeout=TIMEOUT,
    ).json()["session_token"]
    answer = requests.post(
        f"{brand.issuer}/api/liveperson/code", headers={"Authorization": f"Bearer {session}"}, timeout=TIMEOUT
    )
    return answer.json()["code"]


def standin_for(folder: Path, brand: broken_brand.RunningBrand, *options: str) -> ContextManager[LiveServer]:
    folder.mkdir(exist_ok=True)
    return servers.standin(
        folder,
        brand.issuer,
        *options,
        client_id=broken_brand.CLIENT_ID,
        client_secret=broken_brand.CLIENT_SECRET,
    )


# -- --allow-host --------------------------------------------------------------------------


def test_a_jwks_on_another_host_is_followed_only_when_allowed(tmp_path):
    with broken_brand.serve() as brand, broken_brand.serve() as elsewhere:
        port = elsewhere.issuer.rsplit(":", 1)[1]
        brand.app.config["DISCOVERY"]["jwks_uri"] = f"{elsewhere.issuer}/jwks"
        with standin_for(tmp_path / "refusing", brand) as refusing:
            refused = authenticate(refusing, authCode=brand_code(brand))
        untouched = elsewhere.paths
        with standin_for(tmp_path / "allowing", brand, "--allow-host", f"127.0.0.1:{port}") as allowing:
            allowed = authenticate(allowing, authCode=brand_code(brand))
    assert refusal(refused, 401)["internalErrorCode"] == "9012"
    assert f"--allow-host 127.0.0.1:{port}" in refused.json()["message"]
    assert untouched == []
    assert authenticated_sub(allowed) == broken_brand.SUB


def test_the_client_secret_is_never_sent_to_a_token_endpoint_on_another_host(tmp_path):
    with broken_brand.serve() as brand, broken_brand.serve() as elsewhere:
        brand.app.config["DISCOVERY"]["token_endpoint"] = f"{elsewhere.issuer}/token"
        with standin_for(tmp_path, brand) as lp:
            refused = authenticate(lp, authCode=brand_code(brand))
        asked = elsewhere.paths
    assert refusal(refused, 401)["internalErrorCode"] == "9012"
    assert "--allow-host" in refused.json()["message"]
    assert asked == []


def test_a_code_the_brand_echoes_in_its_error_stays_masked(tmp_path):
    code = "echoed-" + secrets.token_urlsafe(16)
    with broken_brand.serve() as brand, standin_for(tmp_path, brand) as lp:
        brand.app.config["ERROR_DESCRIPTION"] = f"the code {code} is unknown"
        refused = authenticate(lp, authCode=code)
        records = requests.get(f"{lp.url}/api/exchanges", timeout=TIMEOUT).text
        page = requests.get(f"{lp.url}/inspector", timeout=TIMEOUT).text
    assert refusal(refused, 401)["internalErrorCode"] == "9011"
    assert "the code *** is unknown" in refused.json()["message"]
    for shown in (refused.text, records, page):
        assert code not in shown


# -- the client secret ---------------------------------------------------------------------


@contextmanager
def standin_without_secret_option(
    folder: Path, issuer: str, *options: str, **env: str
) -> Iterator[LiveServer]:
    """The stand-in for the demo client, its secret given by `options` or `env` (LIVEPERSON_*)."""
    port = servers.free_port()
    command = [sys.executable, "-m", "shared.liveperson", "--host", "127.0.0.1", "--port", str(port),
               "--issuer", issuer, "--client-id", "liveperson-demo",
               "--jwe-key-file", str(folder / "jwe-key.pem"), "--instance-folder", str(folder / "standin"),
               *options]
    environment = servers.environment(("LIVEPERSON_",), **env)
    url = f"http://127.0.0.1:{port}"
    with servers._serve(command, environment, url, "/api/config", folder / "standin.log") as server:
        yield server


@pytest.mark.parametrize(
    "where", ["--client-secret-file", "LIVEPERSON_CLIENT_SECRET_FILE", "LIVEPERSON_CLIENT_SECRET"]
)
def test_the_client_secret_off_the_command_line(live_backend, tmp_path, where):
    (tmp_path / "secret").write_text("demo-client-secret\n")
    given = {
        "--client-secret-file": ((where, str(tmp_path / "secret")), {}),
        "LIVEPERSON_CLIENT_SECRET_FILE": ((), {where: str(tmp_path / "secret")}),
        "LIVEPERSON_CLIENT_SECRET": ((), {where: "demo-client-secret"}),
    }
    options, env = given[where]
    with standin_without_secret_option(tmp_path, live_backend.url, *options, **env) as lp:
        issued = code_for(live_backend, app_login(live_backend))
        response = authenticate(lp, authCode=issued["code"], redirect_uri=issued["redirect_uri"])
        command_line = Path(f"/proc/{lp.pid}/cmdline").read_bytes()
    assert authenticated_sub(response)
    assert b"demo-client-secret" not in command_line  # what `ps` shows every local user


def test_the_client_secret_typed_at_a_hidden_prompt(live_backend, tmp_path):
    port = servers.free_port()
    command = [sys.executable, "-m", "shared.liveperson", "--port", str(port), "--issuer", live_backend.url,
               "--client-id", "liveperson-demo", "--jwe-key-file", str(tmp_path / "jwe-key.pem"),
               "--instance-folder", str(tmp_path / "standin")]
    with in_terminal(command, servers.environment(("LIVEPERSON_",))) as terminal:
        terminal.expect("Client secret of liveperson-demo (Enter for none): ")
        terminal.type("demo-client-secret\n")
        terminal.expect("inspector")
        issued = code_for(live_backend, app_login(live_backend))
        response = requests.post(
            f"http://127.0.0.1:{port}/api/account/12345678/authenticate",
            json={"authCode": issued["code"], "redirect_uri": issued["redirect_uri"]},
            timeout=TIMEOUT,
        )
    assert authenticated_sub(response)
    assert "demo-client-secret" not in terminal.screen


# -- the app installation's secret (Get Tokens API) -----------------------------------------


@pytest.mark.parametrize("where", ["--app-client-secret-file", "LIVEPERSON_APP_CLIENT_SECRET_FILE",
                                   "LIVEPERSON_APP_CLIENT_SECRET", "nowhere"])
def test_the_app_secret_is_given_off_the_command_line_or_made_once(tmp_path, monkeypatch, where):
    (tmp_path / "app-secret").write_text("app-secret-of-the-test\n")
    options = ["--issuer", "http://127.0.0.1:9", "--instance-folder", str(tmp_path / "standin")]
    if where == "--app-client-secret-file":
        options += [where, str(tmp_path / "app-secret")]
    elif where == "LIVEPERSON_APP_CLIENT_SECRET_FILE":
        monkeypatch.setenv(where, str(tmp_path / "app-secret"))
    elif where == "LIVEPERSON_APP_CLIENT_SECRET":
        monkeypatch.setenv(where, "app-secret-of-the-test")
    _, settings = from_arguments(options, ask=lambda _prompt: "")
    app = create_app(settings)
    made = tmp_path / "standin" / APP_SECRET_FILE
    if where == "nowhere":
        assert settings.app_client_secret is None
        secret = made.read_text()
        assert len(secret) >= 43 and made.stat().st_mode & 0o777 == 0o600
        assert create_app(settings).extensions["app_tokens"].authenticates("liveperson-app", secret)  # kept
    else:
        assert settings.app_client_secret == "app-secret-of-the-test" and not made.exists()
        secret = settings.app_client_secret
    assert app.extensions["app_tokens"].authenticates("liveperson-app", secret)
    assert not app.extensions["app_tokens"].authenticates("liveperson-app", secret + "x")
