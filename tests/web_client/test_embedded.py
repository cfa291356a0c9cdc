"""The embedded chat window: the page's authentication method answers the Web SDK's callback."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Page, Request, expect

from tests.support.browser import Brand, Shots, Site, brand_stack, log_in, open_chat


def backend_requests(page: Page, brand: Brand, path: str) -> list[Request]:
    seen: list[Request] = []
    page.on("request", lambda r: seen.append(r) if r.url == brand.backend.url + path
            and r.method == "POST" else None)
    return seen


def check_authenticated(page: Page, brand: Brand, sub: str, flow: str) -> None:
    status = open_chat(page)
    expect(status).to_have_attribute("data-state", "authenticated")
    expect(status).to_contain_text(sub)
    # The identity function identified the same customer, with iss and acr as LivePerson wants them.
    expect(page.get_by_test_id("chat-identity")).to_have_attribute("data-sub", sub)
    expect(page.get_by_test_id("auth-message")).to_be_hidden()
    accepted = [c for c in brand.conversations() if c["sub"] == sub and c["channel"] == "web"]
    assert [c["flow"] for c in accepted][-1:] == [flow]


def test_code_flow(page: Page, site: Site, shots: Shots) -> None:
    sub = log_in(page, site.code.web, shots, readme="login")
    shots.take(page, "account-page")
    codes = backend_requests(page, site.code, "/api/liveperson/code")
    check_authenticated(page, site.code, sub, "code")
    shots.take(page, "embedded-chat-authenticated", readme="account-chat-authenticated")
    assert len(codes) == 1
    assert json.loads(codes[0].post_data or "{}") == {}  # no PKCE: nothing to pass on


def test_code_flow_with_pkce_passes_the_challenge_on(page: Page, site: Site, shots: Shots) -> None:
    sub = log_in(page, site.pkce.web, shots)
    codes = backend_requests(page, site.pkce, "/api/liveperson/code")
    check_authenticated(page, site.pkce, sub, "code")
    shots.take(page, "embedded-chat-authenticated")
    body = json.loads(codes[0].post_data or "{}")
    # The S256 challenge the SDK made (43 characters); LivePerson keeps the verifier and the token
    # exchange only succeeded because the backend bound the code to this challenge.
    assert body["code_challenge_method"] == "S256"
    assert len(body["code_challenge"]) == 43


def test_implicit_flow(page: Page, site: Site, shots: Shots) -> None:
    sub = log_in(page, site.implicit.web, shots)
    jwts = backend_requests(page, site.implicit, "/api/liveperson/jwt")
    check_authenticated(page, site.implicit, sub, "implicit")
    shots.take(page, "embedded-chat-authenticated")
    assert len(jwts) == 1


def test_logged_out_visitor_gets_a_reason_not_a_wait(page: Page, site: Site, shots: Shots) -> None:
    page.goto(site.code.web.url + "/account")
    expect(page.get_by_test_id("account-status")).to_contain_text("not logged in")
    status = open_chat(page)
    expect(status).to_have_attribute("data-state", "failed")
    expect(status).to_contain_text("not logged in")
    expect(status).not_to_contain_text("did not call back")
    expect(page.get_by_test_id("auth-message")).to_contain_text("not logged in")
    expect(page.get_by_test_id("chat-identity")).to_contain_text("not identified")  # identity: null
    shots.take(page, "chat-refused-logged-out")


def test_logout_gives_a_null_identity_and_the_next_request_is_refused(
        page: Page, site: Site, shots: Shots) -> None:
    sub = log_in(page, site.code.web, shots)
    status = open_chat(page)
    expect(status).to_have_attribute("data-state", "authenticated")
    shots.take(page, "chat-authenticated")

    refusals: list[int] = []
    page.on("response", lambda r: refusals.append(r.status)
            if r.url.endswith("/api/liveperson/code") and r.request.method == "POST" else None)
    page.get_by_test_id("logout").click()
    expect(page.get_by_test_id("account-status")).to_contain_text("not logged in")
    # The SDK re-asked the identity function (lpTag.newPage), which now answers null.
    expect(page.get_by_test_id("chat-identity")).not_to_have_attribute("data-sub", sub)
    identity = page.evaluate("new Promise((resolve) => lpTag.identities[0](resolve))")
    assert identity is None
    shots.take(page, "logged-out")

    # The next authentication request goes to the backend, which refuses it: the session is gone.
    page.get_by_test_id("chat-close").click()
    status = open_chat(page)
    expect(status).to_have_attribute("data-state", "failed")
    expect(page.get_by_test_id("auth-message")).to_be_visible()
    assert refusals == [401]
    shots.take(page, "next-request-refused")


def test_a_wrong_password_is_shown_on_the_login_page(page: Page, site: Site, shots: Shots) -> None:
    page.goto(site.code.web.url + "/login")
    page.get_by_test_id("login-email").fill("demo@example.com")
    page.get_by_test_id("login-password").fill("not-the-password")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("login-error")).to_have_text("Wrong email or password.")
    expect(page).to_have_url(site.code.web.url + "/login")
    shots.take(page, "login-refused")


def test_method_name_and_context_are_configurable(page: Page, site: Site, shots: Shots) -> None:
    sub = log_in(page, site.custom.web)
    check_authenticated(page, site.custom, sub, "code")
    shots.take(page, "custom-method-authenticated")
    assert page.evaluate("typeof brandApp.chat.getBrandCode") == "function"
    assert page.evaluate("typeof window.lpGetAuthenticationToken") == "undefined"


def test_the_page_embeds_the_account_the_standin_serves(page: Page, tmp_path: Path) -> None:
    """The site is not told the stand-in's account: it asks the stand-in, so a stand-in started
    with another `--account` is embedded with that one."""
    with brand_stack(tmp_path, {"other": ["--account", "90233546"]}, popout="other") as (_, brands):
        brand = brands["other"]
        tags: list[str] = []
        page.on("request", lambda r: tags.append(r.url) if "/tag/tag.js" in r.url else None)
        sub = log_in(page, brand.web)
        assert set(tags) == {f"{brand.standin.url}/tag/tag.js?site=90233546"}  # on each page
        check_authenticated(page, brand, sub, "code")
