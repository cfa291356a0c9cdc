"""The browser fixtures of every test that drives Chromium (a pytest plugin, named in
tests/conftest.py): one headless Chromium for the run, and per test a fresh profile, its page
and its numbered screenshots (tests/support/browser.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, WAIT_MS, Shots


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """Started by the first test that needs it. Playwright's sync API allows one instance per
    thread at a time, so every browser test shares this one."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(chromium: Browser) -> Iterator[BrowserContext]:
    """A fresh browser profile per test: no cookie or storage carries over."""
    ctx = chromium.new_context(viewport=VIEWPORT)
    ctx.set_default_timeout(WAIT_MS)
    expect.set_options(timeout=WAIT_MS)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Shots:
    return Shots(request.node.name)
