"""The brand's website in a real browser: headless Chromium driven by Playwright, the processes a
page talks to (backend, LivePerson stand-ins, web clients) started on loopback, and the steps
a customer takes (log in, open the chat), with numbered screenshots of each."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from playwright.sync_api import Page, expect

from tests.support import servers
from tests.support.servers import LiveServer

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "tests" / "artifacts" / "screenshots"
README_SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1000, "height": 700}
EMAIL = "demo@example.com"
PASSWORD = "demo-password"
WAIT_MS = 20_000  # an upper bound for a step (pages, redirects, a token exchange), never a duration


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

    def conversations(self) -> list[dict[str, Any]]:
        answer = requests.get(self.standin.url + "/api/conversations", timeout=10)
        answer.raise_for_status()
        return answer.json()["conversations"]


@dataclass(frozen=True)
class Site:
    backend: LiveServer
    code: Brand  # its stand-in's pop-out window is registered with the backend
    pkce: Brand
    implicit: Brand
    custom: Brand  # the method under another name and context, configured on both sides


@contextmanager
def brand_stack(folder: Path, standin_flags: dict[str, list[str]], popout: str,
                web_options: dict[str, list[str]] | None = None,
                **backend_settings: str) -> Iterator[tuple[LiveServer, dict[str, Brand]]]:
    """One backend, and per entry of `standin_flags` a stand-in and a web client embedding it
    (with that entry's `web_options`). The `popout` entry's window is registered as a redirect URI;
    every web client is a CORS origin."""
    standin_ports = {name: servers.free_port() for name in standin_flags}
    web_ports = {name: servers.free_port() for name in standin_flags}
    origins = ",".join(f"http://127.0.0.1:{port}" for port in web_ports.values())
    with ExitStack() as stack:
        backend = stack.enter_context(servers.backend(
            folder, liveperson_url=f"http://127.0.0.1:{standin_ports[popout]}",
            CORS_ORIGINS=origins, **backend_settings))
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
        # One of the README's pictures: refreshed on request only, so a test run leaves the
        # committed tree alone (UPDATE_README_SCREENSHOTS=1 bin/test tests/web_client).
        if readme and os.environ.get("UPDATE_README_SCREENSHOTS") == "1":
            README_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, README_SCREENSHOTS / f"{readme}.png")


def log_in(page: Page, web: LiveServer, shots: Shots | None = None, readme: str | None = None) -> str:
    """Logs in through the brand's login page; returns the customer id the account page shows."""
    page.goto(web.url + "/login")
    page.get_by_test_id("login-email").fill(EMAIL)
    page.get_by_test_id("login-password").fill(PASSWORD)
    if shots:
        shots.take(page, "login-page", readme=readme)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(web.url + "/account")
    sub = page.get_by_test_id("account-sub")
    expect(sub).not_to_be_empty()
    return sub.text_content() or ""


def open_chat(page: Page) -> Any:
    """Clicks "Chat with us" and waits until the chat window is done authenticating (either way)."""
    page.get_by_test_id("start-chat").click()
    status = page.get_by_test_id("chat-status")
    expect(status).not_to_have_attribute("data-state", "pending")
    return status
