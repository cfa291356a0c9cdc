"""Cases that need a backend of their own: JWE, a short token lifetime, a backend that goes down."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, Response, expect

from shared.validation.jwe import EncryptionKeyPair
from tests.support import servers
from tests.support.browser import (
    RECORD_CLOSE_CODES,
    WAIT_MS,
    Brand,
    Shots,
    Site,
    brand_stack,
    conversation_id,
    expect_guest,
    log_in,
    open_chat,
    pop_out,
    say,
    thread,
)

# Seconds an id_token, hence the consumer token, is valid: the stand-in (with --skew 0) closes the
# socket with 4401 this often, and the window asks the brand again.
TOKEN_LIFETIME = 3


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
    exchange = implicit.exchanges()[0]
    assert (exchange["channel"], exchange["flow"], exchange["result"]["sub"]) == ("popout", "implicit", sub)
    say(window, "Signed in by an id_token in the fragment.")


def test_an_expired_token_is_renewed_and_the_conversation_goes_on(
        page: Page, expiring: Brand, shots: Shots) -> None:
    page.add_init_script(RECORD_CLOSE_CODES)
    asked: list[int] = []
    page.on("response", lambda r: asked.append(r.status) if r.url.endswith("/api/liveperson/code") else None)
    sub = log_in(page, expiring.web)
    status = open_chat(page)
    expect(status).to_have_attribute("data-state", "authenticated")
    conversation = conversation_id(page)
    say(page, "Before the token expires.")
    shots.take(page, "first-authentication")
    # At the token's exp LivePerson closes the socket with 4401; the tag calls the page's method
    # again, which answers with a fresh code, and reconnects to the same conversation.
    expect(status).to_have_attribute("data-authentications", "2")
    expect(status).to_have_attribute("data-state", "authenticated")
    expect(status).to_contain_text(sub)
    closes = page.evaluate("closeCodes")
    assert closes and set(closes) == {4401}, closes
    assert asked[:2] == [200, 200]
    say(page, "After a fresh token.")
    expect(page.locator(".lpsi-window")).to_have_attribute("data-conversation-id", conversation)
    expect(thread(page)).to_have_count(2)
    expiring.agent_says(conversation, "Still with you.")
    expect(thread(page).filter(has_text="Still with you.")).to_have_attribute("data-from", "agent")
    shots.take(page, "renewed-same-conversation")
    recorded = expiring.conversation(conversation)
    assert recorded["state"] == "OPEN" and recorded["consumer"]["customerId"] == sub
    assert [m["text"] for m in recorded["messages"]] == [
        "Before the token expires.", "After a fresh token.", "Still with you."]


def test_the_popout_signs_in_again_when_its_token_expires(
        context: BrowserContext, page: Page, expiring: Brand, shots: Shots) -> None:
    """A pop-out cannot call the page: at 4401 it goes through the brand's authorization endpoint
    again (the customer is still logged in there, so straight back), keeping what was typed."""
    authorizations: list[str] = []
    context.on("request", lambda r: authorizations.append(r.url)
               if r.url.startswith(expiring.authorization_endpoint() + "?") else None)
    sub = log_in(page, expiring.web)
    open_chat(page)
    window = pop_out(page)
    status = window.get_by_test_id("chat-status")
    expect(status).to_have_attribute("data-state", "authenticated")
    conversation = conversation_id(window)
    window.get_by_test_id("chat-input").fill("Half-typed when the token expired")
    deadline = time.monotonic() + WAIT_MS / 1000
    while len(authorizations) < 2:  # the first sign-in, then the one the expiry caused
        assert time.monotonic() < deadline, "the window did not sign in again"
        window.wait_for_timeout(100)
    expect(status).to_have_attribute("data-state", "authenticated")
    expect(status).to_have_text(f"Authenticated as {sub}")
    assert conversation_id(window) == conversation
    expect(window.get_by_test_id("chat-input")).to_have_value("Half-typed when the token expired")
    # The same conversation goes on: sent after the new login, answered in both windows.
    say(window, "Sent after logging in again.")
    expiring.agent_says(conversation, "Received.")
    for chat in (window, page):
        expect(thread(chat).filter(has_text="Received.")).to_have_attribute("data-from", "agent")
    shots.take(window, "popout-signed-in-again")


def test_backend_down_calls_back_with_a_reason(
        tmp_path: Path, page: Page, site: Site, shots: Shots) -> None:
    web_port = servers.free_port()
    with ExitStack() as backend_running:
        backend = backend_running.enter_context(servers.backend(
            tmp_path, workers=1, CORS_ORIGINS=f"http://127.0.0.1:{web_port}"))
        with servers.web_client(tmp_path, backend.url, site.code.standin.url, port=web_port) as web:
            log_in(page, web, shots)
            backend_running.close()  # the brand's auth server stops while the customer is on the page

            open_chat(page)
            # A guest in the chat; the page's reason on the page, once: the method called back with
            # it (no "did not call back" timeout from the stand-in in the window's note).
            expect_guest(page)
            expect(page.get_by_test_id("chat-note")).to_be_hidden()
            message = page.get_by_test_id("auth-message")
            expect(message).to_be_visible()
            expect(message).to_contain_text("unreachable")
            expect(page.get_by_text("unreachable")).to_have_count(1)
            shots.take(page, "backend-down-reason-shown")
