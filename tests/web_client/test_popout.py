"""The popped-out window. It holds the embedded window's conversation: a guest's is handed over
from the tag (popout-link.js), and "Log in" inside the window steps it up, which the brand's site
shows without a reload; a customer is logged in by redirects through the brand's authorization
endpoint, with LivePerson's request shape (a several-KB JSON `state`, parentWindowOrigin), and
only the state it sent is ever accepted. A logout on the site makes both windows a new guest."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from playwright.sync_api import BrowserContext, Page, Request, Route, expect

from tests.support import servers
from tests.support.browser import (
    CONTRACT_OFFERED,
    Brand,
    Shots,
    Site,
    conversation_id,
    expect_customer,
    expect_guest,
    fill_login,
    log_in,
    open_chat,
    pop_out,
    say,
    thread,
)


def record(context: BrowserContext) -> list[Request]:
    seen: list[Request] = []
    context.on("request", lambda request: seen.append(request))
    return seen


def check_authorization_request(seen: list[Request], brand: Brand) -> None:
    authorize = [r for r in seen if r.url.startswith(brand.authorization_endpoint() + "?")]
    assert authorize, "the window never went to the brand's authorization endpoint"
    query = parse_qs(urlsplit(authorize[0].url).query)
    assert query["response_type"] == ["code"]
    assert query["parentWindowOrigin"] == [brand.web.url]
    assert query["redirect_uri"] == [brand.standin.url + "/le_unified_window/index.html"]
    assert len(query["state"][0]) > 2000  # LivePerson's state is several KB of JSON
    assert "lpUnifiedWindowConfig" in json.loads(query["state"][0])


def check_popout_authenticated(brand: Brand, sub: str, flow: str = "code") -> None:
    """LivePerson's IdP authenticated `sub` for the pop-out window, the last time it was asked."""
    exchange = next(e for e in brand.exchanges() if e["channel"] == "popout")
    assert (exchange["flow"], exchange["result"]["sub"]) == (flow, sub)


def agent_reply_reaches_both(brand: Brand, windows: list[Page], conversation: str, text: str) -> None:
    """The agent answers once; the reply appears in every window, without a reload."""
    counts = [thread(window).count() for window in windows]
    brand.agent_says(conversation, text)
    for window, count in zip(windows, counts, strict=True):
        expect(thread(window).filter(has_text=text)).to_have_attribute("data-from", "agent")
        expect(thread(window)).to_have_count(count + 1)


def test_popout_when_logged_in(context: BrowserContext, page: Page, site: Site, shots: Shots) -> None:
    site.code.close_open_conversations()
    seen = record(context)
    sub = log_in(page, site.code.web)
    open_chat(page)
    expect_customer(page, sub)
    embedded = conversation_id(page)
    window = pop_out(page)
    # Logged in at the brand already: the authorization endpoint redirects straight back.
    expect_customer(window, sub)
    check_authorization_request(seen, site.code)
    check_popout_authenticated(site.code, sub)
    # The same customer, so the same conversation, in both windows.
    assert conversation_id(window) == embedded
    expect(window.get_by_test_id("chat-detail")).to_have_text(f"Conversation {embedded}.")
    shots.take(window, "popout-authenticated")

    say(window, "Writing from the pop-out.")
    agent_reply_reaches_both(site.code, [page, window], embedded, "Got it, thanks.")
    say(window, "Can you also change my delivery address?")
    agent_reply_reaches_both(site.code, [page, window], embedded, "Done: it is the new one from today.")
    expect(thread(page)).to_have_count(4)  # the embedded window follows the same conversation
    shots.take(window, "popout-conversation", readme="popout-conversation")
    conversation = site.code.conversation(embedded)
    assert conversation["authenticated"] and conversation["consumer"]["customerId"] == sub
    assert [m["text"] for m in conversation["messages"]] == [
        "Writing from the pop-out.", "Got it, thanks.",
        "Can you also change my delivery address?", "Done: it is the new one from today."]


def test_a_guests_conversation_follows_into_the_popout_and_steps_up_at_the_login_there(
        context: BrowserContext, page: Page, site: Site, shots: Shots) -> None:
    """The tag hands the guest over; "Log in" in the window logs in with the backend's own page
    and steps the same conversation up, history kept. The site shows the login without a reload,
    and, as LivePerson asks of single-page apps, offers the identity and method, then newPage: the
    embedded window is the customer's too, on the same conversation."""
    seen = record(context)
    loads: list[str] = []
    page.on("load", lambda p: loads.append(p.url))
    page.goto(site.code.web.url + "/account")
    open_chat(page)
    expect_guest(page)
    guest_conversation = conversation_id(page)
    say(page, "Hello, I am not logged in yet.")
    shots.take(page, "embedded-as-a-guest")

    window = pop_out(page)
    expect_guest(window)
    assert conversation_id(window) == guest_conversation
    expect(thread(window)).to_have_count(1)  # the guest's history, here too
    say(window, "Now from the pop-out.")
    expect(thread(page)).to_have_count(2)
    agent_reply_reaches_both(site.code, [page, window], guest_conversation, "Hi! Log in and I will look.")
    shots.take(window, "popout-as-a-guest")
    assert not [r for r in seen if r.url.startswith(site.code.authorization_endpoint())]  # no login asked yet

    # "Log in": the backend's own login page, inside the popped-out window.
    window.get_by_test_id("chat-login").click()
    fill_login(window, shots, readme="popout-login")
    expect(window.get_by_test_id("chat-status")).to_have_attribute("data-state", "authenticated")
    sub = (window.get_by_test_id("chat-status").text_content() or "").removeprefix("Authenticated as ")
    expect_customer(window, sub)
    assert conversation_id(window) == guest_conversation
    expect(thread(window)).to_have_count(3)  # stepped up, the history kept
    check_authorization_request(seen, site.code)
    check_popout_authenticated(site.code, sub)

    # The site, without a reload: told by the tag (the stand-in's event), it re-checked its session
    # and shows the login; the embedded window stepped up along.
    expect(page.get_by_test_id("account-sub")).to_have_text(sub)
    assert page.evaluate("lpTag.events.hasFired('lpStandIn', 'popoutAuthenticated').length") == 1
    expect(page.get_by_test_id("account-status")).to_contain_text("Logged in as")
    expect_customer(page, sub)
    assert conversation_id(page) == guest_conversation
    expect(thread(page)).to_have_count(3)
    assert page.evaluate(CONTRACT_OFFERED) == [1, "function"]
    assert len(loads) == 1  # the first load only
    shots.take(window, "popout-stepped-up")
    shots.take(page, "site-after-popout-login")

    say(window, "Logged in now.")
    agent_reply_reaches_both(site.code, [page, window], guest_conversation, "Thanks, I can see your account.")
    conversation = site.code.conversation(guest_conversation)
    assert conversation["authenticated"] and conversation["steppedUp"]
    assert conversation["consumer"]["customerId"] == sub
    assert [m["from"] for m in conversation["messages"]] == [
        "consumer", "consumer", "agent", "consumer", "agent"]


def test_logout_on_the_site_makes_both_windows_a_new_guest(
        context: BrowserContext, page: Page, site: Site, shots: Shots) -> None:
    sub = log_in(page, site.code.web)
    open_chat(page)
    window = pop_out(page)
    expect_customer(window, sub)
    customer_conversation = conversation_id(window)
    say(window, "My account number is 12345.")

    page.get_by_test_id("logout").click()
    for chat in (page, window):
        expect_guest(chat)
        expect(chat.get_by_test_id("chat-status")).not_to_contain_text("Authenticated as")
        expect(chat.locator(".lpsi-window")).not_to_have_attribute(
            "data-conversation-id", customer_conversation)
        expect(chat.get_by_test_id("chat-messages")).not_to_contain_text("12345")
    guest_conversation = conversation_id(page)
    expect(window.locator(".lpsi-window")).to_have_attribute("data-conversation-id", guest_conversation)
    say(window, "Still here, as a guest.")
    expect(thread(page)).to_have_count(1)
    shots.take(window, "popout-logged-out-a-guest")
    assert not site.code.conversation(guest_conversation)["authenticated"]
    # Never back to the customer afterwards, in either window.
    page.wait_for_timeout(1500)  # a few of the pop-out's questions to the tag
    for chat in (page, window):
        expect(chat.get_by_test_id("chat-status")).not_to_contain_text("Authenticated as")


def test_a_tampered_state_is_refused_and_sent_nowhere(
        context: BrowserContext, page: Page, site: Site, shots: Shots) -> None:
    log_in(page, site.code.web)
    open_chat(page)

    # Between the brand's redirect and the window, someone alters the state.
    def tamper(route: Route) -> None:
        answer = route.fetch(max_redirects=0)
        location = answer.headers.get("location", "")
        parts = urlsplit(location)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        assert "code" in query, location
        query["state"] = query["state"].replace("lpUnifiedWindowConfig", "lpUnifiedWindowConfiG")
        route.fulfill(status=302, headers={"Location": urlunsplit(parts._replace(query=urlencode(query)))})

    context.route(site.code.authorization_endpoint() + "?*", tamper)
    seen = record(context)
    window = pop_out(page)
    status = window.get_by_test_id("chat-status")
    expect(status).to_have_attribute("data-state", "failed")
    expect(status).to_contain_text("state")
    shots.take(window, "tampered-state-refused")
    check_nothing_forwarded(seen, site.code)


def test_a_foreign_state_is_refused_and_sent_nowhere(
        context: BrowserContext, page: Page, site: Site, shots: Shots) -> None:
    # A response this window never asked for (planted link, another tab's answer).
    seen = record(context)
    state = json.dumps({"lpUnifiedWindowConfig": {"nonce": "someone-else"}})
    page.goto(site.code.standin.url + "/le_unified_window/index.html?"
              + urlencode({"code": "stolen-or-planted", "state": state}))
    status = page.get_by_test_id("chat-status")
    expect(status).to_have_attribute("data-state", "failed")
    expect(page).not_to_have_url("*code=*")  # the code left the address bar
    shots.take(page, "foreign-state-refused")
    check_nothing_forwarded(seen, site.code)


def test_a_foreign_redirect_uri_never_gets_the_code(
        context: BrowserContext, page: Page, site: Site, shots: Shots) -> None:
    log_in(page, site.code.web)
    elsewhere = f"http://127.0.0.1:{servers.free_port()}"
    seen = record(context)
    page.goto(site.code.authorization_endpoint() + "?" + urlencode({
        "response_type": "code", "client_id": "liveperson-demo", "scope": "openid",
        "redirect_uri": elsewhere + "/le_unified_window/index.html", "state": "{}",
    }))
    expect(page.locator("body")).to_contain_text("not registered")
    shots.take(page, "foreign-redirect-uri-refused")
    assert not [r.url for r in seen if r.url.startswith(elsewhere)]


def check_nothing_forwarded(seen: list[Request], brand: Brand) -> None:
    """The refused response went to no other origin, and not to the stand-in's token exchange."""
    standin = brand.standin.url
    after_window = seen[next(i for i, r in enumerate(seen) if "/le_unified_window/" in r.url
                             and ("code=" in r.url or "state=" in r.url)):]
    assert not [r.url for r in after_window if not r.url.startswith(standin)]
    assert not [r.url for r in after_window if "/authenticate" in r.url]
