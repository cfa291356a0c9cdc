"""The pages customers meet, on the brand's site or inside LivePerson's pop-out window (the login
page, the consent page, the account page): in the brand's words and colours (BRAND_NAME,
BRAND_COLOR, BRAND_ACCENT, LOGIN_HINT), and without a horizontal scroll at a phone's 375 px and
the pop-out's 420 px, measured in Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser, Page

from tests.support import servers
from tests.support.backend_app import make_app
from tests.support.servers import LiveServer

HINT = "Demo account: demo@example.com / demo-password"


@pytest.fixture(scope="module")
def branded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    settings = {"BRAND_NAME": "Acme Outfitters", "BRAND_COLOR": "#123", "BRAND_ACCENT": "#b01030",
                "LOGIN_HINT": HINT}
    with servers.backend(tmp_path_factory.mktemp("branded"), workers=1, **settings) as server:
        yield server


@pytest.mark.parametrize("width", [375, 420])
def test_the_login_page_fits_a_phone_and_the_popout(
        chromium: Browser, branded: LiveServer, width: int) -> None:
    page = chromium.new_page(viewport={"width": width, "height": 700})
    try:
        # The longest login page: an error shown, and the pop-out's authorization request in `next`.
        page.goto(branded.url + "/login?next=/oauth2/v3/authorize%3Fstate%3D" + "x" * 3000)
        page.get_by_test_id("login-email").fill("someone-with-a-long-address@example.com")
        page.get_by_test_id("login-password").fill("wrong")
        page.get_by_test_id("login-submit").click()
        page.get_by_test_id("login-error").wait_for()
        widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert widths[0] <= widths[1], f"{widths[0]} px of content in a {widths[1]} px window"
        page.screenshot(path=str(_screenshot(f"login-{width}px.png")))
    finally:
        page.close()


def assert_fits(page: Page) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"{widths[0]} px of content in a {widths[1]} px window"


@pytest.mark.parametrize("width", [375, 420])
def test_the_consent_and_account_pages_fit_a_phone_and_the_popout(
        chromium: Browser, branded: LiveServer, width: int) -> None:
    """The pop-out asks for orders.read: log in, the consent page, Allow, and the account page
    that lists LivePerson with its Revoke button; Revoke empties the list."""
    page = chromium.new_page(viewport={"width": width, "height": 700})
    try:
        # The redirect to LivePerson is answered here: the tests stay on loopback.
        page.route("https://liveperson.net/**", lambda route: route.fulfill(body="LivePerson"))
        query = urlencode({"response_type": "code", "client_id": "liveperson-demo",
                           "redirect_uri": "https://liveperson.net", "scope": "openid orders.read",
                           "state": "x" * 3000})
        page.goto(f"{branded.url}/oauth2/v3/authorize?{query}")
        page.get_by_test_id("login-email").fill("demo@example.com")
        page.get_by_test_id("login-password").fill("demo-password")
        page.get_by_test_id("login-submit").click()
        page.get_by_test_id("consent-allow").wait_for()
        assert page.title() == "Allow access · Acme Outfitters"
        assert page.get_by_test_id("consent-title").text_content() == "Allow LivePerson to act for you?"
        assert_fits(page)
        page.screenshot(path=str(_screenshot(f"consent-{width}px.png")))

        page.get_by_test_id("consent-allow").click()
        page.wait_for_url("https://liveperson.net/?code=*")

        page.goto(branded.url + "/")
        page.get_by_test_id("revoke-liveperson-demo").wait_for()
        assert_fits(page)
        page.screenshot(path=str(_screenshot(f"account-{width}px.png")))
        page.get_by_test_id("revoke-liveperson-demo").click()
        page.get_by_test_id("no-access").wait_for()
    finally:
        page.close()


def test_the_page_speaks_and_looks_like_the_brand(chromium: Browser, branded: LiveServer) -> None:
    page = chromium.new_page()
    try:
        page.goto(branded.url + "/login")
        assert page.title() == "Log in · Acme Outfitters"
        assert page.get_by_test_id("brand-name").text_content() == "Acme Outfitters"
        assert page.get_by_test_id("login-hint").text_content() == HINT
        page.get_by_test_id("login-email").fill("demo@example.com")
        page.get_by_test_id("login-password").fill("not-the-password")
        page.get_by_test_id("login-submit").click()
        # The site's words ("Log in", "Wrong email or password."), not another vocabulary.
        assert page.get_by_test_id("login-error").text_content() == "Wrong email or password."
        colour = "getComputedStyle(document.querySelector('{}')).backgroundColor"
        assert page.evaluate(colour.format("[data-testid=login-submit]")) == "rgb(176, 16, 48)"
        assert page.evaluate(colour.format(".site-header")) == "rgb(17, 34, 51)"
    finally:
        page.close()


@pytest.mark.parametrize("colour", ["red", "#12345", "#123; } body { display: none", ""])
def test_a_colour_that_is_not_hex_stops_the_start(tmp_path: Path, colour: str) -> None:
    with pytest.raises(SystemExit, match="BACKEND_BRAND_ACCENT must be a hex colour"):
        make_app(tmp_path, BRAND_ACCENT=colour)


def test_no_hint_by_default(tmp_path: Path) -> None:
    page = make_app(tmp_path).test_client().get("/login").get_data(as_text=True)
    assert "login-hint" not in page
    assert "Example Brand" in page


def _screenshot(name: str) -> Path:
    folder = Path(__file__).parents[1] / "artifacts" / "screenshots" / "backend"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name
