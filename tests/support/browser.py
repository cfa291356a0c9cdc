"""The brand's website in a real browser: headless Chromium driven by Playwright, the processes a
page talks to (backend, LivePerson stand-ins, web clients) started on loopback, the steps a
customer takes (log in, open the chat, write), what LivePerson recorded and its agent's side,
with numbered screenshots of each."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from playwright.sync_api import Page, expect

from tests.support import consumer, servers
from tests.support.servers import LiveServer

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "tests" / "artifacts" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1000, "height": 700}
EMAIL = "demo@example.com"
PASSWORD = "demo-password"
WAIT_MS = 20_000  # an upper bound for a step (pages, redirects, a token exchange), never a duration
# What a brand page offers LivePerson's SDK: how many identity functions, and whether the
# authentication method is defined ([1, "function"] logged in, [0, "undefined"] logged out).
CONTRACT_OFFERED = "[lpTag.identities.length, typeof window.lpGetAuthenticationToken]"


@dataclass(frozen=True)
class Brand:
    """A web client and the LivePerson stand-in whose tag it embeds."""

    web: LiveServer
    standin: LiveServer
    backend: LiveServer

    def authorization_endpoint(self) -> str:
        answer = requests.get(self.backend.url + "/.well-known/openid-configuration", timeout=10)
        answer.raise_for_status()
        return answer.json()["authorization_endpoint"]

    def conversation(self, conversation_id: str) -> dict[str, Any]:
        """The conversation as LivePerson's agent sees it, its messages listed."""
        return consumer.agent_get(self.standin, f"/{conversation_id}")

    def exchanges(self) -> list[dict[str, Any]]:
        """The IdP's exchanges with the brand, newest first (the inspector's records)."""
        answer = requests.get(self.standin.url + "/api/exchanges", timeout=10)
        answer.raise_for_status()
        return answer.json()["exchanges"]

    def agent_says(self, conversation_id: str, text: str) -> None:
        answer = consumer.agent_post(self.standin, f"/{conversation_id}/messages", {"text": text})
        assert answer.status_code == 201, answer.text

    def agent_closes(self, conversation_id: str) -> None:
        answer = consumer.agent_post(self.standin, f"/{conversation_id}/close")
        assert answer.status_code == 200, answer.text

    def close_open_conversations(self) -> None:
        """The agent closes every open conversation. The tests of a site share its demo customer,
        whose chat goes on in their open conversation: a test that counts messages starts anew."""
        for conversation in consumer.agent_get(self.standin)["conversations"]:
            if conversation["state"] == "OPEN":
                self.agent_closes(conversation["conversationId"])


@dataclass(frozen=True)
class Site:
    backend: LiveServer
    code: Brand  # its stand-in's pop-out window is registered with the backend
    pkce: Brand
    implicit: Brand
    custom: Brand  # the method under another name and context, configured on both sides
    members_only: Brand  # an account that refuses guests (no unauthenticated messaging)


@contextmanager
def brand_stack(folder: Path, standin_flags: dict[str, list[str]], popout: str,
                web_options: dict[str, list[str]] | None = None, seed_options: Sequence[str] = (),
                in_readme: bool = False, **backend_settings: str
                ) -> Iterator[tuple[LiveServer, dict[str, Brand]]]:
    """One backend, and per entry of `standin_flags` a stand-in and a web client embedding it
    (with that entry's `web_options`). The `popout` entry's window is registered as a redirect URI;
    every web client is a CORS origin. `in_readme`: the README's pictures show the backend and the
    `popout` brand, so these are set up as bin/demo sets them up (`servers.port_for`)."""
    shown = {name: in_readme and name == popout for name in standin_flags}
    standin_ports = {name: servers.port_for("liveperson", shown[name]) for name in standin_flags}
    web_ports = {name: servers.port_for("web_client", shown[name]) for name in standin_flags}
    origins = ",".join(f"http://127.0.0.1:{port}" for port in web_ports.values())
    with ExitStack() as stack:
        backend = stack.enter_context(servers.backend(
            folder, liveperson_url=f"http://127.0.0.1:{standin_ports[popout]}", seed_options=seed_options,
            in_readme=in_readme, CORS_ORIGINS=origins, **backend_settings))
        brands = {}
        for name, flags in standin_flags.items():
            place = folder / name
            place.mkdir(exist_ok=True)
            standin = stack.enter_context(
                servers.standin(place, backend.url, *flags, port=standin_ports[name]))
            web = stack.enter_context(servers.web_client(
                place, backend.url, standin.url, *(web_options or {}).get(name, []), port=web_ports[name]))
            brands[name] = Brand(web=web, standin=standin, backend=backend)
        yield backend, brands


class Shots:
    """Numbered screenshots of a test's steps, under tests/artifacts/screenshots/<test>/."""

    def __init__(self, name: str) -> None:
        self.folder = SCREENSHOTS / re.sub(r"[^\w.-]+", "_", name)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.count = 0

    def take(self, page: Page, step: str, readme: str | None = None) -> None:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{step}.png"
        page.screenshot(path=str(path))
        if readme:
            servers.keep_for_readme(path, readme)


def fill_login(page: Page, shots: Shots | None = None, readme: str | None = None) -> None:
    """Logs in as the demo customer on the login form in front of the page (the brand site's, or
    the backend's own in the pop-out window)."""
    page.get_by_test_id("login-email").fill(EMAIL)
    page.get_by_test_id("login-password").fill(PASSWORD)
    if shots:
        shots.take(page, "login-page", readme=readme)
    page.get_by_test_id("login-submit").click()


def log_in(page: Page, web: LiveServer, shots: Shots | None = None, readme: str | None = None) -> str:
    """Logs in through the brand's login page; returns the customer id the account page shows."""
    page.goto(web.url + "/login")
    fill_login(page, shots, readme)
    page.wait_for_url(web.url + "/account")
    sub = page.get_by_test_id("account-sub")
    expect(sub).not_to_be_empty()
    return sub.text_content() or ""


def open_chat(page: Page) -> Any:
    """Clicks "Chat with us" once the tag is loaded, and waits until the chat window is done
    authenticating (either way)."""
    page.wait_for_function("window.lpTag && typeof lpTag.openChat === 'function'")
    page.get_by_test_id("start-chat").click()
    status = page.get_by_test_id("chat-status")
    expect(status).not_to_have_attribute("data-state", "pending")
    return status


def pop_out(page: Page) -> Page:
    """Clicks the embedded window's "Pop out"; the popped-out window, sized as the tag opens it."""
    with page.expect_popup() as popup:
        page.get_by_test_id("chat-popout").click()
    window = popup.value
    window.set_viewport_size({"width": 480, "height": 640})
    return window


def expect_guest(window: Page) -> None:
    """The chat window (embedded or popped out) says the visitor chats as a guest, in the site's
    words and without error styling, and never names a customer."""
    status = window.get_by_test_id("chat-status")
    expect(status).to_have_attribute("data-state", "unauthenticated")
    expect(status).to_have_text("You are chatting as a guest. Log in to chat as yourself.")


def expect_customer(window: Page, sub: str) -> None:
    status = window.get_by_test_id("chat-status")
    expect(status).to_have_attribute("data-state", "authenticated")
    expect(status).to_have_text(f"Authenticated as {sub}")


def conversation_id(window: Page) -> str:
    """The conversation the chat window (embedded or popped out) shows, once it shows one."""
    chat = window.locator(".lpsi-window")
    expect(chat).to_have_attribute("data-conversation-id", re.compile(r".+"))
    return chat.get_attribute("data-conversation-id") or ""


def say(window: Page, text: str) -> None:
    """Types a message and sends it; returns once it is in the thread, as LivePerson numbered it."""
    expect(window.get_by_test_id("chat-connection")).to_have_attribute("data-state", "live")
    window.get_by_test_id("chat-input").fill(text)
    window.get_by_test_id("chat-send").click()
    expect(window.get_by_test_id("chat-input")).to_have_value("")
    expect(thread(window).filter(has_text=text)).to_have_attribute("data-from", "consumer")


def thread(window: Page) -> Any:
    """The messages the chat window shows, in order (each with data-from consumer or agent)."""
    return window.get_by_test_id("chat-messages").get_by_test_id("chat-message")


# Records the close code of every WebSocket the page opens (Playwright reports closes without it).
RECORD_CLOSE_CODES = """
(() => {
  window.closeCodes = [];
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("close", (event) => window.closeCodes.push(event.code));
    }
  };
})();
"""
