"""The demo bot (`--bot`) over real processes: a customer with delegated tokens asks where their
order is, and the bot answers from the brand's API, as an agent to the consumer and as the bot,
with its API call, to the agent (API and workspace, in Chromium); when the customer revokes
LivePerson's access, or the brand's API is down, it says so and hands over to the agent."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Page, expect

from shared import contract
from shared.liveperson.bot import bot as bot_module
from tests.support import consumer, servers
from tests.support.browser import Shots
from tests.support.delegation import (
    CLIENT_ID,
    CLIENT_SECRET,
    DEMO_ORDERS,
    Stack,
    ask,
    bot_says,
    customer_browser,
    customer_conversation,
    eventually,
    get_tokens,
    revoke_access,
)

BOT_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, f"liveperson-stand-in/{contract.STANDIN_ACCOUNT}/bot"))


def activity(standin: servers.LiveServer, conversation_id: str, after: int) -> list[dict[str, Any]]:
    """What the bot did for the message `after`, as the agent API shows it."""
    entries = consumer.agent_get(standin, f"/{conversation_id}")["botActivity"]
    return [entry for entry in entries if entry["afterSequence"] == after]


def workspace(context: BrowserContext, stack: Stack, conversation_id: str) -> Page:
    """The agent workspace, open on the conversation."""
    page = context.new_page()
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{stack.standin.url}/agent#{conversation_id}")
    return page


def seen_by_consumer(socket: consumer.Socket, sequence: int) -> dict[str, Any]:
    """The change the consumer's socket was told for the message `sequence`."""
    while True:
        changes = socket.notification("ms.MessagingEventNotification")["body"]["changes"]
        found = next((change for change in changes if change["sequence"] == sequence), None)
        if found is not None:
            return found


def test_the_bot_answers_a_customer_with_their_orders(
        stack: Stack, context: BrowserContext, shots: Shots) -> None:
    socket, conversation, _ = customer_conversation(stack)
    asked = ask(socket, conversation, "Hi! Where is my order?")
    reply = bot_says(stack.standin, conversation, asked)
    assert reply["text"].startswith("Here are your orders (3):"), reply["text"]
    assert [line.split(",")[0] for line in reply["text"].splitlines()[1:]] == [f"• {r}" for r in DEMO_ORDERS]

    # The consumer sees an agent's message, from the bot's own participant id.
    change = seen_by_consumer(socket, reply["sequence"])
    assert change["originatorMetadata"] == {"id": BOT_ID, "role": "ASSIGNED_AGENT"}
    assert change["event"]["message"] == reply["text"]

    # The agent sees it as the bot's, and the call it made, for the question it answered.
    calls = [entry for entry in activity(stack.standin, conversation, asked) if entry["method"] == "GET"]
    assert len(calls) == 1
    assert {k: calls[0][k] for k in ("kind", "url", "status", "orders", "note")} == {
        "kind": "api-call", "url": stack.orders_url, "status": 200, "orders": 3, "note": "3 orders"}

    # Anything else is the agent's to answer.
    other = ask(socket, conversation, "Do you ship to Norway?")
    consumer.agent_post(stack.standin, f"/{conversation}/messages", {"text": "We do."})
    messages = eventually(lambda: (lambda m: m if m[-1]["text"] == "We do." else None)(
        consumer.agent_get(stack.standin, f"/{conversation}")["messages"]), "the agent's reply")
    assert [m["from"] for m in messages if m["sequence"] > other] == ["agent"]

    # In the agent workspace: the bot's messages and its API call, each in its own look.
    page = workspace(context, stack, conversation)
    bot_message = page.locator("[data-testid=message][data-from=bot]")
    expect(bot_message).to_have_count(1)
    expect(bot_message.locator(".stamp")).to_contain_text("Bot")
    call = page.get_by_test_id("bot-activity").filter(has_text="GET")
    expect(call).to_contain_text(f"GET {stack.orders_url}")
    expect(call.get_by_test_id("bot-activity-status")).to_have_text("200")
    expect(call).to_contain_text("3 orders")
    # After the question it answered, before the answer.
    order = page.locator("[data-testid=messages] > li").evaluate_all(
        "items => items.map(i => i.dataset.testid === 'bot-activity' ? 'call' : i.dataset.from)")
    assert order[:3] == ["consumer", "call", "bot"] or order[:4] == ["consumer", "call", "call", "bot"], order
    shots.take(page, "bot-api-call")


def test_the_bot_says_so_when_the_customer_withdrew_its_access(
        stack: Stack, context: BrowserContext, shots: Shots) -> None:
    browser = customer_browser(stack.backend)
    socket, conversation, consumer_id = customer_conversation(stack, browser)
    first = ask(socket, conversation, "Which orders do I have?")
    assert "A-1001" in bot_says(stack.standin, conversation, first)["text"]

    # On their account page at the brand, the customer revokes LivePerson's access.
    revoke_access(stack.backend, browser)
    asked = ask(socket, conversation, "And my orders now?")
    reply = bot_says(stack.standin, conversation, asked)
    assert reply["text"] == f"{bot_module.WITHDRAWN} {bot_module.HANDOVER}"
    entries = activity(stack.standin, conversation, asked)
    # The API refused the revoked token; a refresh was refused too; then the handover.
    assert [(e["kind"], e["method"], e["status"]) for e in entries][-3:] == [
        ("api-call", "GET", 401), ("api-call", "POST", 400), ("handover", None, None)]
    assert "invalid_token" in entries[-3]["note"]
    assert "invalid_grant" in entries[-2]["note"]
    assert get_tokens(stack, consumer_id).status_code == 404  # deleted with the refusal

    # Handed over: the bot leaves the conversation to the agent.
    again = ask(socket, conversation, "Hello? My order?")
    consumer.agent_post(stack.standin, f"/{conversation}/messages", {"text": "I am looking into it."})
    messages = eventually(lambda: (lambda m: m if m[-1]["from"] == "agent" else None)(
        consumer.agent_get(stack.standin, f"/{conversation}")["messages"]), "the agent's reply")
    assert [m["from"] for m in messages if m["sequence"] > again] == ["agent"]
    page = workspace(context, stack, conversation)
    expect(page.locator("[data-testid=bot-activity][data-kind=handover]")).to_contain_text(bot_module.WITHDRAWN)
    expect(page.locator("[data-testid=bot-activity-status]").filter(has_text="401")).to_have_count(1)
    shots.take(page, "bot-handed-over")


def test_the_bot_hands_over_when_the_brands_api_is_down(stack: Stack, tmp_path: Path) -> None:
    down = f"http://127.0.0.1:{servers.free_port()}/api/v1/orders"  # nothing listens there
    with servers.standin(tmp_path, stack.backend.url, "--bot", "--brand-api-url", down,
                         client_id=CLIENT_ID, client_secret=CLIENT_SECRET) as standin:
        socket, conversation, _ = customer_conversation(Stack(stack.backend, standin, stack.web, tmp_path))
        asked = ask(socket, conversation, "Where is my order?")
        reply = bot_says(standin, conversation, asked)
        assert reply["text"] == f"{bot_module.UNREACHABLE} {bot_module.HANDOVER}"
        call, handover = activity(standin, conversation, asked)[-2:]
        assert (call["url"], call["status"], call["orders"]) == (down, None, None)
        assert handover["kind"] == "handover"
