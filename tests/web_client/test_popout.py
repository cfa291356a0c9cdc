"""The popped-out window: no JavaScript callback, so it signs in by redirects through the brand's
authorization endpoint, with LivePerson's request shape (a several-KB JSON `state`,
parentWindowOrigin), only ever accepts the state it sent, and then holds the customer's
conversation with LivePerson's agent."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from playwright.sync_api import BrowserContext, Page, Request, Route, expect

from tests.support import servers
from tests.support.browser import (
    EMAIL,
    PASSWORD,
    Brand,
    Shots,
    Site,
    conversation_id,
    log_in,
    open_chat,
    say,
    thread,
)


def record(context: BrowserContext) -> list[Request]:
    seen: list[Request] = []
    context.on("request", lambda request: seen.append(request))
    return seen


def pop_out(page: Page) -> Page:
    with page.expect_popup() as popup:
        page.get_by_test_id("chat-popout").click()
    window = popup.value
    window.set_viewport_size({"width": 480, "height": 640})
    return window


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


def test_popout_when_logged_in(context: BrowserContext, page: Page, site: Site, shots: Shots) -> None:
    site.code.close_open_conversations()
    seen = record(context)
    sub = log_in(page, site.code.web)
    expect(open_chat(page)).to_have_attribute("data-state", "authenticated")
    embedded = conversation_id(page)
    window = pop_out(page)
    status = window.get_by_test_id("chat-status")
    # Logged in at the brand already: the authorization endpoint redirects straight back.
    expect(status).to_have_attribute("data-state", "authenticated")
    expect(status).to_have_text(f"Authenticated as {sub}")
    check_authorization_request(seen, site.code)
    check_popout_authenticated(site.code, sub)
    # The same customer, so the same conversation, in both windows.
    assert conversation_id(window) == embedded
    expect(window.get_by_test_id("chat-detail")).to_have_text(f"Conversation {embedded}.")
    shots.take(window, "popout-authenticated", readme="popout-authenticated")

    say(window, "Writing from the pop-out.")
    site.code.agent_says(embedded, "Got it, thanks.")
    expect(thread(window).filter(has_text="Got it, thanks.")).to_have_attribute("data-from", "agent")
    expect(thread(page)).to_have_count(2)  # the embedded window follows the same conversation
    shots.take(window, "popout-conversation")
    conversation = site.code.conversation(embedded)
    assert conversation["authenticated"] and conversation["consumer"]["customerId"] == sub
    assert [m["text"] for m in conversation["messages"]] == ["Writing from the pop-out.", "Got it, thanks."]


def test_popout_logs_in_inside_the_window(
        context: BrowserContext, page: Page, site: Site, shots: Shots) -> None:
    seen = record(context)
    page.goto(site.code.web.url + "/account")
    expect(open_chat(page)).to_have_attribute("data-state", "unauthenticated")
    shots.take(page, "embedded-as-a-guest")
    window = pop_out(page)
    # The backend's own login page, inside the popped-out window.
    window.get_by_test_id("login-email").fill(EMAIL)
    window.get_by_test_id("login-password").fill(PASSWORD)
    shots.take(window, "popout-login", readme="popout-login")
    window.get_by_test_id("login-submit").click()
    status = window.get_by_test_id("chat-status")
    expect(status).to_have_attribute("data-state", "authenticated")
    say(window, "Logged in inside the window.")
    shots.take(window, "popout-authenticated")
    check_authorization_request(seen, site.code)
    # The customer the window names is the one the brand knows for this login.
    page.goto(site.code.web.url + "/account")
    sub = page.get_by_test_id("account-sub")
    expect(sub).not_to_be_empty()
    expect(status).to_contain_text(sub.text_content() or "?")
    check_popout_authenticated(site.code, sub.text_content() or "?")


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
