"""Fixtures of the stand-in's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, expect, sync_playwright

from tests.support import consumer, delegation
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, WAIT_MS, Shots


@pytest.fixture(autouse=True)
def _sockets_closed() -> Iterator[None]:
    """Every messaging socket a test opened is closed after it, whatever the test did."""
    yield
    consumer.close_all()


@pytest.fixture(scope="package")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[delegation.Stack]:
    """Consumer Delegation's processes (tests/support/delegation.py), for the tests that need them."""
    with delegation.stack(tmp_path_factory.mktemp("delegation")) as running:
        yield running


@pytest.fixture(scope="module")  # not longer: other modules start Playwright of their own
def chromium() -> Iterator[Browser]:
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
def shots(request: pytest.FixtureRequest) -> Shots:
    return Shots(request.node.name)
