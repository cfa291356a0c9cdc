"""The embedded chat window: the page's authentication method answers the Web SDK's callback, and
the customer (or a guest) talks with LivePerson's agent over its WebSocket. A guest steps up by
logging in, with the history kept; a customer who logs out goes on as a new guest."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Page, Request, expect

from tests.support.browser import (
    CONTRACT_OFFERED,
    Brand,
    Shots,
    Site,
    brand_stack,
    conversation_id,
    expect_customer,
    expect_guest,
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
    open_chat(page)
    expect_customer(page, sub)
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
    # No PKCE: nothing to pass on but the scope, whose API part the customer has not allowed yet.
    assert json.loads(codes[0].post_data or "{}") == {"scope": "openid profile email orders.read"}
    expect(page.get_by_test_id("chat-empty")).to_be_visible()
    shots.take(page, "embedded-chat-authenticated")

    exchange = [
        ("consumer", "Hello, my card was declined."),
        ("agent", "Sorry to hear that, Dana. Let me check."),
        ("consumer", "It was the card ending in 4242."),
        ("agent", "I see it: the payment is on hold. I'll release it."),
    ]
    for sender, text in exchange:
        if sender == "consumer":
            say(page, text)
        else:
            site.code.agent_says(conversation["conversationId"], text)
            # The agent's reply arrives as it is sent: no reload, no polling by the test.
            expect(thread(page).filter(has_text=text)).to_have_attribute("data-from", "agent")
    expect(thread(page)).to_have_count(4)
    assert [m.get_attribute("data-from") for m in thread(page).all()] == [s for s, _ in exchange]
    expect(page.get_by_test_id("chat-empty")).to_be_hidden()
    shots.take(page, "embedded-chat-conversation", readme="site-chat-conversation")
    recorded = site.code.conversation(conversation["conversationId"])["messages"]
    assert [(m["from"], m["text"]) for m in recorded] == exchange

    # The agent's side: the thread beside who the customer is, as the id_token and lp_sdes say.
    workspace = page.context.new_page()
    workspace.set_viewport_size({"width": 1280, "height": 800})
    workspace.goto(site.code.standin.url + "/agent")
    workspace.locator(f'[data-testid=conversation][data-conversation-id="{conversation["conversationId"]}"]').click()
    expect(workspace.get_by_test_id("message")).to_have_count(4)
    identity = workspace.get_by_test_id("consumer-identity")
    for field, value in (("customerId", sub), ("name", "Dana Demo"), ("issuer", site.backend.url)):
        expect(identity.locator(f'dd[data-field="{field}"]')).to_have_text(value)
    expect(workspace.get_by_test_id("sde")).to_have_count(2)
    shots.take(workspace, "agent-workspace", readme="agent-workspace")
    workspace.close()

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


def test_a_logged_out_visitor_chats_as_a_guest_in_plain_words(page: Page, site: Site, shots: Shots) -> None:
    """Not logged in is no error: one neutral sentence in the chat, nothing on the page, and the
    page offers LivePerson neither identity nor method (its SPA guidance for a logged-out page)."""
    page.goto(site.code.web.url + "/account")
    expect(page.get_by_test_id("account-status")).to_contain_text("not logged in")
    open_chat(page)
    expect_guest(page)
    assert page.evaluate(CONTRACT_OFFERED) == [0, "undefined"]
    expect(page.get_by_test_id("auth-message")).to_be_hidden()
    expect(page.get_by_test_id("chat-note")).to_be_hidden()
    expect(page.get_by_test_id("chat-identity")).to_contain_text("not identified")  # no identity
    # Said once, and nothing styled as an error anywhere.
    expect(page.get_by_text(re.compile("log in to chat as yourself", re.I))).to_have_count(1)
    expect(page.locator('[role="alert"]:visible, [data-state="failed"]')).to_have_count(0)
    assert page.get_by_test_id("chat-status").evaluate("e => getComputedStyle(e).color") != "rgb(165, 29, 45)"

    say(page, "Do you ship to Norway?")
    site.code.agent_says(conversation_id(page), "We do, in three to five days.")
    expect(thread(page).filter(has_text="three to five days")).to_have_attribute("data-from", "agent")
    shots.take(page, "chat-as-a-guest")
    conversation = site.code.conversation(conversation_id(page))
    assert not conversation["authenticated"] and conversation["consumer"]["customerId"] is None
    assert [m["text"] for m in conversation["messages"]] == [
        "Do you ship to Norway?", "We do, in three to five days."]


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
    open_chat(page)
    expect_guest(page)
    guest_conversation = conversation_id(page)
    say(page, "I was charged twice.")
    site.code.agent_says(guest_conversation, "Could you log in, so I can see your account?")
    expect(thread(page)).to_have_count(2)
    shots.take(page, "guest-asked-to-log-in", readme="step-up-before")

    page.get_by_test_id("login-link").click()
    page.wait_for_url(site.code.web.url + "/login")
    # The window came along to the login page, still the guest's conversation.
    expect(page.get_by_test_id("chat-status")).to_have_attribute("data-state", "unauthenticated")
    expect(page.locator(".lpsi-window")).to_have_attribute("data-conversation-id", guest_conversation)
    expect(thread(page)).to_have_count(2)
    shots.take(page, "login-page-with-the-chat")

    sub = log_in(page, site.code.web)
    expect_customer(page, sub)
    expect(page.locator(".lpsi-window")).to_have_attribute("data-conversation-id", guest_conversation)
    expect(thread(page)).to_have_count(2)  # the history, kept
    say(page, "Logged in now.")
    site.code.agent_says(guest_conversation, "Thanks, I can see the two payments. Refunding one.")
    expect(thread(page).filter(has_text="Refunding one")).to_have_attribute("data-from", "agent")
    shots.take(page, "stepped-up-same-conversation", readme="step-up-after")

    # The agent sees the same conversation, now authenticated, marked as stepped up.
    conversation = site.code.conversation(guest_conversation)
    assert conversation["authenticated"] and conversation["steppedUp"]
    assert conversation["consumer"]["customerId"] == sub
    assert [m["from"] for m in conversation["messages"]] == ["consumer", "agent", "consumer", "agent"]


def test_logout_leaves_the_customers_conversation_and_the_visitor_goes_on_as_a_new_guest(
        page: Page, site: Site, shots: Shots) -> None:
    """LivePerson: a logged-out consumer does not see the authenticated history. The page removes
    its identity and method and calls lpTag.newPage; the window drops the customer's conversation
    and the visitor goes on as a new guest, in a new conversation; never "Authenticated as"."""
    sub = log_in(page, site.code.web, shots)
    open_chat(page)
    expect_customer(page, sub)
    assert page.evaluate(CONTRACT_OFFERED) == [1, "function"]
    customer_conversation = conversation_id(page)
    say(page, "Something only I should see.")
    shots.take(page, "chat-authenticated")

    asked: list[int] = []
    page.on("response", lambda r: asked.append(r.status)
            if r.url.endswith("/api/liveperson/code") and r.request.method == "POST" else None)
    loads: list[str] = []
    page.on("load", lambda p: loads.append(p.url))
    page.get_by_test_id("logout").click()
    expect(page.get_by_test_id("account-status")).to_contain_text("not logged in")
    expect_guest(page)
    expect(page.get_by_test_id("chat-status")).not_to_contain_text("Authenticated as")
    expect(page.get_by_test_id("chat-identity")).not_to_have_attribute("data-sub", sub)
    assert page.evaluate(CONTRACT_OFFERED) == [0, "undefined"]  # both removed, as LivePerson asks
    expect(page.locator(".lpsi-window")).not_to_have_attribute("data-conversation-id", customer_conversation)
    guest_conversation = conversation_id(page)
    expect(thread(page)).to_have_count(0)
    expect(page.get_by_test_id("chat-messages")).not_to_contain_text("only I should see")
    expect(page.get_by_test_id("auth-message")).to_be_hidden()
    assert asked == [] and loads == []  # no method to ask; no page load
    say(page, "A question as a guest.")
    shots.take(page, "logged-out-a-guest")

    # The customer's conversation is still the customer's, for the agent; the guest's is apart.
    assert site.code.conversation(customer_conversation)["consumer"]["customerId"] == sub
    guest = site.code.conversation(guest_conversation)
    assert not guest["authenticated"] and [m["text"] for m in guest["messages"]] == ["A question as a guest."]

    # Closed and opened again: the guest goes on with theirs.
    page.get_by_test_id("chat-close").click()
    open_chat(page)
    expect_guest(page)
    assert conversation_id(page) == guest_conversation
    expect(thread(page)).to_have_count(1)
    assert asked == []


def test_a_login_in_another_tab_shows_when_the_page_is_shown_again(
        context: BrowserContext, page: Page, site: Site, shots: Shots) -> None:
    """The page re-checks its session when it is shown again (LivePerson's own pop-out, or another
    tab, tells it nothing): it shows the login, and the guest's chat steps up, without a reload."""
    page.goto(site.code.web.url + "/account")
    open_chat(page)
    expect_guest(page)
    guest_conversation = conversation_id(page)
    say(page, "Asked before logging in elsewhere.")

    other = context.new_page()
    sub = log_in(other, site.code.web)
    other.close()
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")  # the tab is shown again
    expect(page.get_by_test_id("account-sub")).to_have_text(sub)
    expect_customer(page, sub)
    assert conversation_id(page) == guest_conversation
    expect(thread(page)).to_have_count(1)
    shots.take(page, "stepped-up-after-a-login-elsewhere")
    assert site.code.conversation(guest_conversation)["steppedUp"]


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
