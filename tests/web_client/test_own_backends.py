"""Cases that need a backend of their own: JWE, a short token lifetime, a backend that goes down."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, Response, expect

from shared.validation.jwe import EncryptionKeyPair
from tests.support import servers
from tests.support.browser import Brand, Shots, Site, brand_stack, log_in, open_chat
from tests.web_client.test_popout import pop_out

TOKEN_LIFETIME = 3  # seconds: the stand-in (with --skew 0) asks the page again this often


@pytest.fixture(scope="module")
def jwe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Brand]:
    """Implicit flow with encryption: the backend encrypts for the stand-in's key."""
    folder = tmp_path_factory.mktemp("web_jwe")
    keys = EncryptionKeyPair.generate()
    (folder / "jwe").mkdir()
    (folder / "jwe" / "jwe-key.pem").write_bytes(keys.private_pem())
    flags = {"jwe": ["--flow", "implicit", "--jwe"]}
    with brand_stack(folder, flags, popout="jwe", LIVEPERSON_JWE_PUBLIC_KEY=keys.public_spki_base64(),
                     LIVEPERSON_JWE_KID=keys.kid) as (_, brands):
        yield brands["jwe"]


@pytest.fixture(scope="module")
def implicit(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Brand]:
    """Plain implicit flow whose stand-in's pop-out window is registered with the backend."""
    flags = {"implicit": ["--flow", "implicit"]}
    with brand_stack(tmp_path_factory.mktemp("web_implicit"), flags, popout="implicit") as (_, brands):
        yield brands["implicit"]


@pytest.fixture(scope="module")
def expiring(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Brand]:
    flags = {"code": ["--skew", "0"]}
    with brand_stack(tmp_path_factory.mktemp("web_expiry"), flags, popout="code",
                     ID_TOKEN_LIFETIME=str(TOKEN_LIFETIME)) as (_, brands):
        yield brands["code"]


def test_implicit_flow_with_jwe(page: Page, jwe: Brand, shots: Shots) -> None:
    tokens: list[Response] = []
    page.on("response", lambda r: tokens.append(r) if r.url.endswith("/api/liveperson/jwt") else None)
    sub = log_in(page, jwe.web, shots)
    status = open_chat(page)
    expect(status).to_have_attribute("data-state", "authenticated")
    expect(status).to_contain_text(sub)
    shots.take(page, "embedded-chat-authenticated")
    assert tokens[0].json()["id_token"].count(".") == 4  # a compact JWE, not a bare JWS


@pytest.mark.parametrize("setup", ["implicit", "jwe"])
def test_implicit_popout_gets_the_token_in_the_fragment(
    context: BrowserContext, page: Page, shots: Shots, request: pytest.FixtureRequest, setup: str
) -> None:
    """Plain, and encrypted: the authorization endpoint seals the id_token for LivePerson too."""
    implicit: Brand = request.getfixturevalue(setup)
    windows: list[str] = []
    context.on("request", lambda r: windows.append(r.url) if "/le_unified_window/" in r.url else None)
    sub = log_in(page, implicit.web)
    open_chat(page)
    window = pop_out(page)
    status = window.get_by_test_id("chat-status")
    expect(status).to_have_attribute("data-state", "authenticated")
    expect(status).to_contain_text(sub)
    shots.take(window, "popout-authenticated")
    # The token came back after the #, which never reaches a server, not in the query.
    assert all("id_token" not in url for url in windows)
    assert any(c["channel"] == "popout" and c["flow"] == "implicit" for c in implicit.conversations())


def test_expired_token_is_asked_again_and_stays_authenticated(
        page: Page, expiring: Brand, shots: Shots) -> None:
    asked: list[int] = []
    page.on("response", lambda r: asked.append(r.status) if r.url.endswith("/api/liveperson/code") else None)
    sub = log_in(page, expiring.web)
    status = open_chat(page)
    expect(status).to_have_attribute("data-state", "authenticated")
    shots.take(page, "first-authentication")
    # At the token's exp the stand-in calls the page's method again; it answers with a fresh code.
    expect(status).to_have_attribute("data-authentications", "2")
    expect(status).to_have_attribute("data-state", "authenticated")
    expect(status).to_contain_text(sub)
    shots.take(page, "asked-again-still-authenticated")
    assert asked[:2] == [200, 200]
    assert len([c for c in expiring.conversations() if c["sub"] == sub]) >= 2


def test_backend_down_calls_back_with_a_reason(
        tmp_path: Path, page: Page, site: Site, shots: Shots) -> None:
    web_port = servers.free_port()
    with ExitStack() as backend_running:
        backend = backend_running.enter_context(servers.backend(
            tmp_path, workers=1, CORS_ORIGINS=f"http://127.0.0.1:{web_port}"))
        with servers.web_client(tmp_path, backend.url, site.code.standin.url, port=web_port) as web:
            log_in(page, web, shots)
            backend_running.close()  # the brand's auth server stops while the customer is on the page

            status = open_chat(page)
            expect(status).to_have_attribute("data-state", "failed")
            # The page's reason, not the stand-in's "did not call back" timeout.
            expect(status).to_contain_text("unreachable")
            message = page.get_by_test_id("auth-message")
            expect(message).to_be_visible()
            expect(message).to_contain_text("unreachable")
            shots.take(page, "backend-down-reason-shown")
