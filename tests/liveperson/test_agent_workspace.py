"""The agent workspace `/agent` in a real Chromium, over the stand-in served on loopback with a
real store: the developer sees who is authenticated, reads a thread beside the consumer's
identity and engagement attributes, replies, sees the consumer's messages arrive without a
reload, and closes; hostile consumer text stays text. Screenshots of each step go to
tests/artifacts/screenshots/agent-workspace*/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from shared.liveperson.store import Store
from tests.liveperson.test_agent_api import CLAIMS, ISSUER, SDES, agent_app
from tests.support.browser import Shots
from tests.support.servers import Serving

HOSTILE = '<img src=x onerror="window.pwned = 1"><script>window.pwned = 2</script>'
VIEWPORT = {"width": 1280, "height": 800}


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    app = agent_app(tmp_path)
    yield app
    app.extensions["store"].dispose()


@pytest.fixture
def workspace(app: Flask, chromium: Browser) -> Iterator[tuple[Page, str]]:
    """A fresh page, and the stand-in's URL. The page must log no error: a script refused by
    the Content-Security-Policy, or one that failed, would show there."""
    errors: list[str] = []
    with Serving(app) as served:
        context = chromium.new_context(viewport=VIEWPORT)
        try:
            page = context.new_page()
            page.on(
                "console",
                lambda line: errors.append(f"{line.text} {line.location}") if line.type == "error" else None,
            )
            page.on("pageerror", lambda error: errors.append(str(error)))
            yield page, served.url
        finally:
            context.close()
    assert errors == []


def populate(store: Store) -> dict[str, str]:
    """Three conversations, oldest first: a visitor's (closed), one that stepped up to Bob, and
    Alice's, open, in which she has written twice, once hostile."""
    visitor = store.new_unauthenticated()
    gone = store.open_conversation(visitor.id, "web")
    store.add_message(gone.id, "consumer", visitor.id, "Just looking, thanks")
    store.close(gone.id, "CONSUMER")

    stepping = store.new_unauthenticated()
    stepped = store.open_conversation(stepping.id, "popout")
    store.add_message(stepped.id, "consumer", stepping.id, "Where is my parcel?")
    bob = store.authenticated(
        "bob-consumer", ISSUER, "bob-7", {"sub": "bob-7", "given_name": "Bob", "family_name": "Marley"}, []
    )
    store.step_up(stepping.id, bob.id)

    alice = store.authenticated("alice-consumer", ISSUER, "alice-1", CLAIMS, SDES)
    current = store.open_conversation(alice.id, "web")
    store.add_message(current.id, "consumer", alice.id, "Hello, I need help with my order #1234.")
    store.add_message(current.id, "consumer", alice.id, HOSTILE)
    return {"visitor": gone.id, "bob": stepped.id, "alice": current.id, "alice_consumer": alice.id}


def test_the_agent_reads_replies_and_closes_in_the_workspace(app, workspace):
    page, url = workspace
    store: Store = app.extensions["store"]
    ids = populate(store)
    shots = Shots("agent-workspace")

    page.goto(url + "/agent")
    # The list: open conversations first, newest first; who is authenticated is plain to see.
    items = page.get_by_test_id("conversation")
    expect(items).to_have_count(3)
    assert [items.nth(i).get_attribute("data-conversation-id") for i in range(3)] == [
        ids["alice"],
        ids["bob"],
        ids["visitor"],
    ]
    first = items.nth(0)
    expect(first.get_by_test_id("conversation-name")).to_have_text("Alice Liddell")
    expect(first.get_by_test_id("badge-authenticated")).to_have_text("Authenticated")
    expect(first).to_contain_text("Customer ID alice-1")
    expect(items.nth(1).get_by_test_id("badge-stepped-up")).to_be_visible()
    expect(items.nth(1).get_by_test_id("conversation-name")).to_have_text("Bob Marley")
    expect(items.nth(2).get_by_test_id("conversation-name")).to_have_text("Unauthenticated visitor")
    expect(items.nth(2).get_by_test_id("badge-authenticated")).to_have_count(0)
    expect(items.nth(2).get_by_test_id("badge-state")).to_have_text("Closed")
    expect(page.get_by_test_id("thread-placeholder")).to_be_visible()
    shots.take(page, "list")

    # Selecting shows the thread, and beside it the identity and engagement attributes.
    first.click()
    messages = page.get_by_test_id("message")
    expect(messages).to_have_count(2)
    expect(messages.nth(0)).to_have_attribute("data-from", "consumer")
    expect(messages.nth(1).locator(".bubble")).to_have_text(HOSTILE)  # as text: the markup shown
    assert page.locator("[data-testid=messages] img, [data-testid=messages] script").count() == 0
    assert page.evaluate("window.pwned") is None
    identity = page.get_by_test_id("consumer-identity")
    for field, value in (
        ("customerId", "alice-1"),
        ("name", "Alice Liddell"),
        ("userName", "alice"),
        ("email", "alice@example.com"),
        ("phone", "+44 20 7946 0000"),
        ("gender", "female"),
        ("issuer", ISSUER),
    ):
        expect(identity.locator(f'dd[data-field="{field}"]')).to_have_text(value)
    expect(identity).not_to_contain_text("1852")  # birthdate: a claim LivePerson does not show
    sdes = page.get_by_test_id("sde")
    expect(sdes).to_have_count(2)
    expect(sdes.nth(0)).to_contain_text("Customer info")
    expect(sdes.nth(0)).to_contain_text("cstatus")
    expect(sdes.nth(0)).to_contain_text("gold")
    expect(sdes.nth(1)).to_contain_text("contacts[0].email")
    shots.take(page, "conversation")

    # A reply typed and sent with Enter is stored as the agent's, and shown on the agent's side.
    page.evaluate("window.notReloaded = true")
    answer = "Sorry to hear that, Alice. Let me look up #1234."
    page.get_by_test_id("reply-text").fill(answer)
    page.get_by_test_id("reply-text").press("Enter")
    expect(messages).to_have_count(3)
    expect(messages.nth(2)).to_have_attribute("data-from", "agent")
    expect(messages.nth(2).locator(".bubble")).to_have_text(answer)
    expect(page.get_by_test_id("reply-text")).to_have_value("")
    stored = store.messages(ids["alice"])[-1]
    assert (stored.originator, stored.originator_id, stored.text) == (
        "agent",
        app.extensions["agent_id"],
        answer,
    )

    # What the consumer writes, and a new conversation, show up without a reload.
    store.add_message(ids["alice"], "consumer", ids["alice_consumer"], "Thanks! It was due Monday.")
    expect(messages).to_have_count(4)
    expect(messages.nth(3).locator(".bubble")).to_have_text("Thanks! It was due Monday.")
    newcomer = store.new_unauthenticated()
    store.open_conversation(newcomer.id, "mobile")
    expect(items).to_have_count(4)
    expect(items.nth(0).get_by_test_id("conversation-name")).to_have_text("Unauthenticated visitor")
    assert page.evaluate("window.notReloaded") is True
    shots.take(page, "thread")

    # Closing makes the conversation read-only, here and in the store.
    page.get_by_test_id("close-conversation").click()
    expect(page.get_by_test_id("closed-note")).to_contain_text("closed by the agent")
    expect(page.get_by_test_id("composer")).to_be_hidden()
    expect(page.get_by_test_id("close-conversation")).to_be_hidden()
    expect(page.get_by_test_id("thread").get_by_test_id("badge-state")).to_have_text("Closed")
    closed = store.conversation(ids["alice"])
    assert closed is not None and (closed.state, closed.close_reason) == ("CLOSE", "AGENT")
    # The closed conversation goes below the open ones, and stays selected.
    alice_item = page.locator(f'[data-conversation-id="{ids["alice"]}"]')
    expect(alice_item).to_have_attribute("aria-current", "true")
    expect(alice_item).to_have_attribute("data-state", "CLOSE")
    assert [items.nth(i).get_attribute("data-state") for i in range(4)] == ["OPEN", "OPEN", "CLOSE", "CLOSE"]
    shots.take(page, "closed")


def test_an_unauthenticated_conversation_says_what_the_agent_cannot_know(app, workspace):
    page, url = workspace
    ids = populate(app.extensions["store"])
    page.goto(f"{url}/agent#{ids['visitor']}")  # the selection survives a reload
    expect(page.get_by_test_id("thread-title")).to_contain_text("Unauthenticated visitor")
    expect(page.get_by_test_id("consumer-note")).to_contain_text("Not authenticated")
    expect(page.get_by_test_id("consumer-identity").locator("dd[data-field=customerId]")).to_have_count(0)
    expect(page.get_by_test_id("consumer-sdes")).to_contain_text("no engagement attributes")
    expect(page.get_by_test_id("closed-note")).to_contain_text("closed by the consumer")
    Shots("agent-workspace-visitor").take(page, "closed-visitor")


def test_an_empty_workspace_says_how_to_start_a_conversation(app, workspace):
    page, url = workspace
    page.goto(url + "/agent")
    expect(page.get_by_test_id("empty-state")).to_be_visible()
    expect(page.get_by_test_id("empty-state")).to_contain_text("Chat with us")
    expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "live")
    Shots("agent-workspace-empty").take(page, "empty")
