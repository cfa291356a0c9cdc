"""Someone else's wrong passwords cannot lock the customer out of the browser they use: the
backend's device cookie, set at their earlier login, keeps it recognised (backend/login/throttle.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from tests.support.browser import EMAIL, PASSWORD, Brand, Shots, brand_stack, log_in


@pytest.fixture
def brand(tmp_path: Path) -> Iterator[Brand]:
    """A site of this test's own: it locks the demo account to unknown browsers."""
    with brand_stack(tmp_path, {"code": []}, popout="code") as (_backend, brands):
        yield brands["code"]


def attack(brand: Brand) -> None:
    for password in [*(f"guess-{n}" for n in range(5)), PASSWORD]:
        answer = requests.post(f"{brand.backend.url}/api/session", timeout=10,
                               json={"email": EMAIL, "password": password})
    assert answer.status_code == 429  # even the right password, from a device never seen


def try_login(page: Page, brand: Brand) -> None:
    page.goto(brand.web.url + "/login")
    page.get_by_test_id("login-email").fill(EMAIL)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()


def test_the_customers_browser_gets_in_and_an_unknown_one_is_told_what_to_do(
    page: Page, chromium: Browser, brand: Brand, shots: Shots
) -> None:
    sub = log_in(page, brand.web)
    page.get_by_test_id("logout").click()
    expect(page.get_by_test_id("login-link")).to_be_visible()

    attack(brand)

    stranger = chromium.new_page()
    try_login(stranger, brand)
    error = stranger.get_by_test_id("login-error")
    expect(error).to_contain_text("log in from one you have used before")
    shots.take(stranger, "unknown-browser-refused")
    stranger.close()

    try_login(page, brand)
    page.wait_for_url(brand.web.url + "/account")
    expect(page.get_by_test_id("account-sub")).to_have_text(sub)
    shots.take(page, "known-browser-logged-in")
