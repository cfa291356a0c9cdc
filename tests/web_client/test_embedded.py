"""The embedded chat window: the page's authentication method answers the Web SDK's callback, and
the customer (or a guest) talks with LivePerson's agent over its WebSocket."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, Request, expect

from tests.support.browser import (
    Brand,
    Shots,
    Site,
    brand_stack,
    conversation_id,
    log_in,
    open_chat,
    say,
    thread,
)


def backend_requests(page: Page, brand: Brand, path: str) -> list[Request]:
    seen: list[Request] = []
    page.on("request", lambda r: seen.append(r) if r.url == brand.backend.url + path
            and r.method == "POST" else None)
    return seen


def check_authenticated(page: Page, brand: Brand, sub: str, flow: str) -> dict[str, Any]:
    """Opens the chat and checks LivePerson authenticated `sub` by `flow`; the conversation as
    LivePerson's agent sees it."""
    status = open_chat(page)
    expect(status).to_have_attribute("data-state", "authenticated")
    expect(status).to_have_text(f"Authenticated as {sub}")
    # The identity function identified the same customer, with iss and acr as LivePerson wants them.
    expect(page.get_by_test_id("chat-identity")).to_have_attribute("data-sub", sub)
    expect(page.get_by_test_id("auth-message")).to_be_hidden()
    exchange = brand.exchanges()[0]
    assert (exchange["channel"], exchange["flow"], exchange["result"]["sub"]) == ("web", flow, sub)
    conversation = brand.conversation(conversation_id(page))
    assert conversation["authenticated"] and conversation["consumer"]["customerId"] == sub
    assert conversation["state"] == "OPEN"
    return conversation


def test_code_flow_and_a_conversation_with_the_agent(page: Page, site: Site, shots: Shots) -> None:
    site.code.close_open_conversations()
    sub = log_in(page, site.code.web, shots, readme="login")
    shots.take(page, "account-page")
    codes = backend_requests(page, site.code, "/api/liveperson/code")
    conversation = check_authenticated(page, site.code, sub, "code")
    assert len(codes) == 1
    assert json.loads(codes[0].post_data or "{}") == {}  # no PKCE: nothing to pass on
    expect(page.get_by_test_id("chat-empty")).to_be_visible()
    shots.take(page, "embedded-chat-authenticated", readme="account-chat-authenticated")

    say(page, "Hello, my card was declined.")
    site.code.agent_says(conversation["conversationId"], "Sorry to hear that, Dana. Let me check.")
    reply = thread(page).filter(has_text="Let me check")
    expect(reply).to_have_attribute("data-from", "agent")
    expect(thread(page)).to_have_count(2)
    expect(page.get_by_test_id("chat-empty")).to_be_hidden()
    shots.take(page, "embedded-chat-conversation")
    recorded = site.code.conversation(conversation["conversationId"])["messages"]
    assert [(m["from"], m["text"]) for m in recorded] == [
        ("consumer", "Hello, my card was declined."), ("agent", "Sorry to hear that, Dana. Let me check.")]

    # The agent closes it: the window says so, and the customer can start another.
    site.code.agent_closes(conversation["conversationId"])
    expect(page.get_by_test_id("chat-ended")).to_be_visible()
    expect(page.get_by_test_id("chat-composer")).to_be_hidden()
    shots.take(page, "embedded-chat-ended")
    page.get_by_test_id("chat-new").click()
    expect(page.locator(".lpsi-window")).not_to_have_attribute(
        "data-conversation-id", conversation["conversationId"])
    expect(thread(page)).to_have_count(0)
    say(page, "One more thing.")
    assert site.code.conversation(conversation_id(page))["consumer"]["customerId"] == sub


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
    say(page, "Sent over the implicit flow's session.")


def test_a_logged_out_visitor_chats_as_a_guest_and_is_told_why(page: Page, site: Site, shots: Shots) -> None:
    page.goto(site.code.web.url + "/account")
    expect(page.get_by_test_id("account-status")).to_contain_text("not logged in")
    status = open_chat(page)
    expect(status).to_have_attribute("data-state", "unauthenticated")
    expect(status).to_contain_text("guest")
    # The page's reason, not the stand-in's "did not call back" timeout.
    expect(page.get_by_test_id("chat-note")).to_contain_text("not logged in")
    expect(page.get_by_test_id("chat-note")).not_to_contain_text("did not call back")
    expect(page.get_by_test_id("auth-message")).to_contain_text("not logged in")
    expect(page.get_by_test_id("chat-identity")).to_contain_text("not identified")  # identity: null
    say(page, "Do you ship to Norway?")
    shots.take(page, "chat-as-a-guest")
    conversation = site.code.conversation(conversation_id(page))
    assert not conversation["authenticated"] and conversation["consumer"]["customerId"] is None
    assert [m["text"] for m in conversation["messages"]] == ["Do you ship to Norway?"]


def test_an_account_without_guests_tells_a_logged_out_visitor_why(
        page: Page, site: Site, shots: Shots) -> None:
    page.goto(site.members_only.web.url + "/account")
    status = open_chat(page)
    expect(status).to_have_attribute("data-state", "failed")
    expect(status).to_contain_text("not logged in")
    expect(page.get_by_test_id("chat-composer")).to_be_hidden()
    shots.take(page, "chat-refused-logged-out")


def test_a_guest_who_logs_in_goes_on_with_the_same_conversation(
        page: Page, site: Site, shots: Shots) -> None:
    """Step-up: LivePerson's conversation, started as a guest, is the customer's after the login,
    with its history; the window follows the visitor from page to page of the tab."""
    page.goto(site.code.web.url + "/account")
    expect(open_chat(page)).to_have_attribute("data-state", "unauthenticated")
    guest_conversation = conversation_id(page)
    say(page, "I was charged twice.")
    site.code.agent_says(guest_conversation, "Could you log in, so I can see your account?")
    expect(thread(page)).to_have_count(2)
    shots.take(page, "guest-asked-to-log-in")

    page.get_by_test_id("login-link").click()
    page.wait_for_url(site.code.web.url + "/login")
    # The window came along to the login page, still the guest's conversation.
    expect(page.get_by_test_id("chat-status")).to_have_attribute("data-state", "unauthenticated")
    expect(page.locator(".lpsi-window")).to_have_attribute("data-conversation-id", guest_conversation)
    expect(thread(page)).to_have_count(2)
    shots.take(page, "login-page-with-the-chat")

    sub = log_in(page, site.code.web)
    status = page.get_by_test_id("chat-status")
    expect(status).to_have_attribute("data-state", "authenticated")
    expect(status).to_have_text(f"Authenticated as {sub}")
    expect(page.locator(".lpsi-window")).to_have_attribute("data-conversation-id", guest_conversation)
    expect(thread(page)).to_have_count(2)  # the history, kept
    say(page, "Logged in now.")
    shots.take(page, "stepped-up-same-conversation")

    conversation = site.code.conversation(guest_conversation)
    assert conversation["authenticated"] and conversation["steppedUp"]
    assert conversation["consumer"]["customerId"] == sub
    assert [m["from"] for m in conversation["messages"]] == ["consumer", "agent", "consumer"]


def test_logout_gives_a_null_identity_and_the_customer_becomes_a_guest(
        page: Page, site: Site, shots: Shots) -> None:
    sub = log_in(page, site.code.web, shots)
    status = open_chat(page)
    expect(status).to_have_attribute("data-state", "authenticated")
    customer_conversation = conversation_id(page)
    say(page, "Something only I should see.")
    shots.take(page, "chat-authenticated")

    refusals: list[int] = []
    page.on("response", lambda r: refusals.append(r.status)
            if r.url.endswith("/api/liveperson/code") and r.request.method == "POST" else None)
    page.get_by_test_id("logout").click()
    expect(page.get_by_test_id("account-status")).to_contain_text("not logged in")
    # The SDK re-asked the identity function (lpTag.newPage), which now answers null, and asked the
    # page to authenticate again, which the backend refused: the visitor is a guest, in a
    # conversation of their own, without the customer's history.
    expect(page.get_by_test_id("chat-identity")).not_to_have_attribute("data-sub", sub)
    identity = page.evaluate("new Promise((resolve) => lpTag.identities[0](resolve))")
    assert identity is None
    expect(status).to_have_attribute("data-state", "unauthenticated")
    expect(page.locator(".lpsi-window")).not_to_have_attribute("data-conversation-id", customer_conversation)
    expect(thread(page)).to_have_count(0)
    assert refusals == [401]
    shots.take(page, "logged-out-a-guest")

    # Closed and opened again: the page is asked again, and the guest goes on with theirs.
    guest_conversation = conversation_id(page)
    page.get_by_test_id("chat-close").click()
    status = open_chat(page)
    expect(status).to_have_attribute("data-state", "unauthenticated")
    expect(page.get_by_test_id("auth-message")).to_be_visible()
    assert refusals == [401, 401]
    assert conversation_id(page) == guest_conversation
    assert not site.code.conversation(guest_conversation)["authenticated"]


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
        sockets: list[str] = []
        page.on("websocket", lambda ws: sockets.append(ws.url))
        sub = log_in(page, brand.web)
        assert set(tags) == {f"{brand.standin.url}/tag/tag.js?site=90233546"}  # on each page
        check_authenticated(page, brand, sub, "code")
        host = brand.standin.url.removeprefix("http://")
        assert sockets == [f"ws://{host}/ws_api/account/90233546/messaging/consumer?v=3"]
