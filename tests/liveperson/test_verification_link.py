"""The verification link of an unauthenticated conversation, over real processes: a guest on the
brand's website asks the bot about their orders, opens the link in Chromium, logs in and
consents at the brand, comes back to the stand-in's callback, and the bot answers with the
orders. The callback refuses a state it did not make, one already used or expired, and tells
the bot when the customer refused; links in the chat are real links, and only http(s) ones."""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from playwright.sync_api import BrowserContext, Page, expect

from shared.liveperson.bot import bot as bot_module
from shared.liveperson.delegation import callback
from shared.liveperson.store import DATABASE_FILE
from tests.support import consumer
from tests.support.browser import Shots, conversation_id, expect_guest, fill_login, open_chat, say, thread
from tests.support.delegation import (
    CLIENT_ID,
    DEMO_ORDERS,
    TIMEOUT,
    Stack,
    ask,
    bot_says,
    callback_uri,
    customer_browser,
    exchanges,
    guest_conversation,
    link_in,
    revoke_access,
)
from tests.support.http_api import hidden_field


def guest_link(stack: Stack) -> tuple[str, str, dict[str, str]]:
    """A visitor asks about their orders: the conversation, the bot's link and its query."""
    socket, conversation = guest_conversation(stack)
    asked = ask(socket, conversation, "Where is my order?")
    link = link_in(bot_says(stack.standin, conversation, asked, "http")["text"])
    return conversation, link, {name: values[0] for name, values in parse_qs(urlsplit(link).query).items()}


def back_at(stack: Stack, **query: str) -> requests.Response:
    """The browser comes back to the stand-in's callback with `query`."""
    return requests.get(callback_uri(stack.standin.url), params=query, timeout=TIMEOUT)


def outcome(page: requests.Response) -> tuple[int, str]:
    found = re.search(r'data-outcome="(\w+)"', page.text)
    assert found, page.text
    return page.status_code, found.group(1)


def test_the_link_asks_the_brand_for_a_code_bound_to_the_conversation(stack: Stack) -> None:
    _, link, query = guest_link(stack)
    discovery = requests.get(stack.backend.url + "/.well-known/openid-configuration", timeout=TIMEOUT).json()
    assert link.startswith(discovery["authorization_endpoint"] + "?")
    expected = {"client_id": CLIENT_ID, "response_type": "code", "scope": "openid orders.read",
                "redirect_uri": callback_uri(stack.standin.url), "code_challenge_method": "S256"}
    assert {name: query[name] for name in expected} == expected
    assert len(query["state"]) >= 43 and len(query["code_challenge"]) == 43
    _, _, another = guest_link(stack)
    assert another["state"] != query["state"] and another["code_challenge"] != query["code_challenge"]


def test_the_callback_takes_a_state_once_and_tells_why_it_refuses(stack: Stack) -> None:
    conversation, link, query = guest_link(stack)
    # The customer follows the link in a browser logged in at the brand, consenting if asked.
    browser = customer_browser(stack.backend)
    answer = browser.get(link, allow_redirects=False, timeout=TIMEOUT)
    if answer.status_code == 200:
        page = answer.text
        answer = browser.post(stack.backend.url + "/consent", allow_redirects=False, timeout=TIMEOUT, data={
            "csrf_token": hidden_field(page, "csrf_token"),
            "authorization_request": hidden_field(page, "authorization_request"),
            "decision": "allow",
        })
    back = answer.headers["Location"]
    assert back.startswith(callback_uri(stack.standin.url) + "?")
    verified = requests.get(back, timeout=TIMEOUT)
    assert outcome(verified) == (200, "verified")
    assert "You are verified." in verified.text and "You can close this window." in verified.text
    assert verified.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert verified.headers["Cache-Control"] == "no-store"
    assert verified.headers["Referrer-Policy"] == "no-referrer"
    answered = bot_says(stack.standin, conversation, 0, "Here are your orders")
    assert all(reference in answered["text"] for reference in DEMO_ORDERS)
    # The code exchange is recorded, the code and verifier masked; the refresh token ignored.
    exchange = next(e for e in exchanges(stack.standin) if e["flow"] == "delegation")
    assert exchange["failure"] is None
    code = parse_qs(urlsplit(back).query)["code"][0]
    assert code not in str(exchange) and exchange["received"]["code"].endswith(f"({len(code)} chars)")
    assert exchange["http"][0]["form"]["code_verifier"].endswith("chars)")

    # The same state again, one never made, none: refused, saying why, and nothing changes.
    state = query["state"]
    for params, problem in (({"code": code, "state": state}, "used"),
                            ({"code": code, "state": state[:-2] + "xx"}, "unknown"),
                            ({"code": code}, "missing")):
        refused = back_at(stack, **params)
        assert outcome(refused) == (400, "failed")
        assert callback.STATE_PROBLEMS[problem] in refused.text
    assert back_at(stack, code=code, state=state).status_code == 400
    other_account = requests.get(back.replace(f"/{consumer.ACCOUNT}/", "/87654321/"), timeout=TIMEOUT)
    assert other_account.status_code == 404


def test_an_expired_state_is_refused(stack: Stack) -> None:
    _, _, query = guest_link(stack)
    with closing(sqlite3.connect(stack.instance / DATABASE_FILE)) as db, db:
        db.execute("UPDATE verifications SET expires_at = '2000-01-01 00:00:00.000000'")
    refused = back_at(stack, code="anything", state=query["state"])
    assert outcome(refused) == (400, "failed")
    assert "has expired" in refused.text


def test_a_customer_who_refuses_is_told_and_the_bot_hands_over(stack: Stack) -> None:
    conversation, _, query = guest_link(stack)
    refused = back_at(stack, error="access_denied", error_description="The customer did not allow it.",
                      state=query["state"])
    assert outcome(refused) == (200, "refused")
    assert "You did not allow access." in refused.text
    said = bot_says(stack.standin, conversation, 1, bot_module.DENIED)
    assert said["text"] == f"{bot_module.DENIED} {bot_module.HANDOVER}"
    # The state is spent: the link cannot be followed after all.
    assert back_at(stack, code="anything", state=query["state"]).status_code == 400


def test_a_code_the_brand_refuses_is_a_failed_verification(stack: Stack) -> None:
    _, _, query = guest_link(stack)
    failed = back_at(stack, code="not-a-code-of-the-brands", state=query["state"])
    assert outcome(failed) == (502, "failed")
    assert "The brand rejected the code" in failed.text
    recorded = exchanges(stack.standin)[0]
    assert (recorded["flow"], recorded["failure"]["check"]) == ("delegation", "token-exchange")


# -- in a real browser -------------------------------------------------------------------------


def test_a_guest_verifies_through_the_link_and_the_bot_answers(
        context: BrowserContext, stack: Stack, shots: Shots) -> None:
    # The customer has not allowed LivePerson yet (or took it back): the brand asks.
    revoke_access(stack.backend, customer_browser(stack.backend))
    page = context.new_page()
    page.goto(stack.web.url + "/account")
    open_chat(page)
    expect_guest(page)
    say(page, "Where is my order?")
    link = thread(page).get_by_test_id("chat-link")
    expect(link).to_have_attribute("href", re.compile(re.escape(stack.backend.url + "/oauth2/v3/authorize?")))
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(thread(page).last).to_have_attribute("data-from", "agent")  # the bot speaks as an agent
    shots.take(page, "bot-sends-the-link")

    with context.expect_page() as opened:
        link.click()
    window = opened.value
    window.set_viewport_size({"width": 480, "height": 640})
    fill_login(window)
    expect(window.get_by_test_id("consent-title")).to_contain_text("Allow LivePerson")
    shots.take(window, "brand-asks-consent")
    window.get_by_test_id("consent-allow").click()
    notice = window.get_by_test_id("verification")
    expect(notice).to_have_attribute("data-outcome", "verified")
    expect(notice).to_have_text(re.compile(r"You are verified\.\s+You can close this window\."))
    assert window.url.startswith(callback_uri(stack.standin.url) + "?")
    shots.take(window, "verified")
    window.close()

    answer = thread(page).filter(has_text="Here are your orders")
    expect(answer).to_have_attribute("data-from", "agent")
    for reference in DEMO_ORDERS:
        expect(answer).to_contain_text(reference)
    shots.take(page, "bot-answers-with-the-orders")
    calls = consumer.agent_get(stack.standin, f"/{conversation_id(page)}")["botActivity"]
    assert [(c["method"], c["status"], c["orders"]) for c in calls] == [("GET", 200, 3)]


def test_only_http_links_in_a_message_become_links(context: BrowserContext, stack: Stack) -> None:
    page: Page = context.new_page()
    page.goto(stack.web.url + "/account")
    open_chat(page)
    say(page, "Hello")
    text = ("Pay at javascript:alert(1), data:text/html,<b>x</b> or https://brand.example/pay?a=1&b=2. "
            "<a href='https://evil.example'>here</a> http://[bad")
    answer = consumer.agent_post(stack.standin, f"/{conversation_id(page)}/messages", {"text": text})
    assert answer.status_code == 201, answer.text
    message = thread(page).filter(has_text="Pay at")
    # The text around the links as typed; each link shows where it goes, the query elided.
    shown = ("Pay at javascript:alert(1), data:text/html,<b>x</b> or brand.example/pay…. "
             "<a href='evil.example'>here</a> http://[bad")
    expect(message.locator(".lpsi-text")).to_have_text(shown)
    links: list[dict[str, Any]] = message.locator("a").evaluate_all(
        "links => links.map(a => ({href: a.href, title: a.title, rel: a.rel, target: a.target}))")
    assert links == [
        {"href": "https://brand.example/pay?a=1&b=2", "title": "https://brand.example/pay?a=1&b=2",
         "rel": "noopener noreferrer", "target": "_blank"},
        {"href": "https://evil.example/", "title": "https://evil.example/", "rel": "noopener noreferrer",
         "target": "_blank"},
    ]
    assert message.locator(".lpsi-text > :not(a)").count() == 0  # no markup of the message's
