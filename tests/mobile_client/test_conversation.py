"""Both flows reach an authenticated conversation whose customer id is the user's `sub`; the
customer and the agent (the stand-in's agent API) talk; the agent closes it."""

from __future__ import annotations

import pytest

from tests.mobile_client.helpers import conversation, customer_id, exchanges
from tests.support import servers
from tests.support.consumer import agent_post


@pytest.mark.parametrize("flow", ["code", "implicit"])
def test_the_flow_chosen_in_settings_authenticates_the_customer(drive, backend, standin, flow):
    other = "implicit" if flow == "code" else "code"
    app = drive(backend.url, standin.url, flow=other)
    app.log_in()
    assert app.current == "home"

    app.press("home", "settings_button")
    app.press("settings", f"flow_{flow}")
    assert app.widget("settings", f"flow_{flow}").state == "down"
    assert app.widget("settings", f"flow_{other}").state == "normal"
    app.screenshot(f"settings-{flow}")
    app.press("settings", "back_button")
    app.press("home", "chat_button")
    assert app.current == "conversation"
    screen = app.screen("conversation")
    app.wait_until(lambda: not screen.connecting, "the conversation to start")

    sub = customer_id(backend)
    assert app.text("conversation", "conversation_status") == f"Authenticated as customer {sub} ({flow} flow)"
    assert app.text("conversation", "connection_state") == "Connected"
    started = app.app.messaging.conversation
    assert started is not None and started.customer_id == sub and started.flow == flow
    shown = conversation(standin, started.conversation_id)
    assert (shown["consumer"]["customerId"], shown["channel"], shown["state"]) == (sub, "mobile", "OPEN")
    assert started.conversation_id in app.text("conversation", "conversation_info")
    assert not app.widget("conversation", "message_input").disabled
    app.screenshot(f"conversation-{flow}")

    app.press("conversation", "back_button")
    assert app.current == "home"
    assert app.app.messaging.conversation is None
    assert conversation(standin, started.conversation_id)["state"] == "OPEN"  # kept at LivePerson


def test_the_customer_and_the_agent_talk_until_the_agent_closes(drive, backend, standin):
    app = drive(backend.url, standin.url)
    app.log_in()
    app.press("home", "chat_button")
    screen = app.screen("conversation")
    app.wait_until(lambda: screen.can_send, "the conversation to be ready")
    conversation_id = app.app.messaging.conversation.conversation_id
    earlier = len(conversation(standin, conversation_id)["messages"])  # the customer's open one
    app.wait_until(lambda: len(app.thread()) == earlier, "its history, one bubble per message")

    app.type("conversation", "message_input", "Where is my parcel?")
    app.press("conversation", "send_button")
    app.wait_until(lambda: "Where is my parcel?" in app.thread(), "the message to come back")
    assert app.text("conversation", "message_input") == ""
    reply = agent_post(standin, f"/{conversation_id}/messages", {"text": "It ships [b]today[/b]."})
    assert reply.status_code == 201, reply.text
    app.wait_until(lambda: len(app.thread()) == earlier + 2, "the agent's reply")

    mine, theirs = app.bubbles()[-2:]
    assert (mine.text, mine.mine) == ("Where is my parcel?", True)
    assert (theirs.text, theirs.mine) == ("It ships [b]today[/b].", False)
    assert not theirs.ids.body.markup  # shown as written, never interpreted as Kivy markup
    assert mine.caption.startswith("You · ") and theirs.caption.startswith("Agent · ")
    assert theirs.to_window(*theirs.pos)[1] < mine.to_window(*mine.pos)[1]  # newest at the bottom
    # The customer's bubble on the right, the agent's on the left.
    assert mine.ids.bubble.right > theirs.ids.bubble.right
    assert theirs.ids.bubble.x < mine.ids.bubble.x
    shown = conversation(standin, conversation_id)["messages"][earlier:]
    assert [(m["from"], m["text"]) for m in shown] == [
        ("consumer", "Where is my parcel?"),
        ("agent", "It ships [b]today[/b]."),
    ]
    app.screenshot("conversation-chat")

    for number in range(1, 13):  # more than the screen holds: the thread scrolls, newest in view
        agent_post(standin, f"/{conversation_id}/messages", {"text": f"Update {number} on your parcel"})
    app.wait_until(lambda: app.thread()[-1] == "Update 12 on your parcel", "the agent's updates")
    app.pump(4)
    thread, messages = app.widget("conversation", "transcript"), app.widget("conversation", "messages")
    assert messages.height > thread.height
    assert thread.scroll_y == 0
    newest = app.bubbles()[-1]
    assert thread.y <= newest.to_window(*newest.pos)[1] < thread.top

    assert agent_post(standin, f"/{conversation_id}/close").status_code == 200
    app.wait_until(lambda: screen.resolved, "the conversation to be closed")

    assert app.text("conversation", "conversation_status") == "The conversation was closed by the agent."
    assert app.widget("conversation", "message_input").disabled
    assert app.widget("conversation", "send_button").disabled
    app.screenshot("conversation-closed")

    app.press("conversation", "new_conversation_button")  # the customer may start again
    app.wait_until(lambda: screen.can_send, "a new conversation")
    renewed = app.app.messaging.conversation
    assert renewed.conversation_id != conversation_id
    assert app.thread() == [] and not screen.resolved
    assert conversation(standin, renewed.conversation_id)["state"] == "OPEN"
    app.press("conversation", "back_button")


def test_pkce_chosen_in_settings_satisfies_an_account_that_requires_it(drive, backend, tmp_path):
    with servers.standin(tmp_path, backend.url, "--pkce") as pkce_standin:
        app = drive(backend.url, pkce_standin.url)
        app.log_in()
        screen = app.screen("conversation")

        app.press("home", "chat_button")  # without a code verifier: refused
        app.wait_until(lambda: not screen.connecting, "the refusal")
        assert screen.failed
        assert "no code_verifier" in app.text("conversation", "conversation_status")
        app.press("conversation", "back_button")

        app.press("home", "settings_button")
        app.press("settings", "pkce")
        assert app.text("settings", "pkce") == "PKCE (code verifier): on"
        app.screenshot("settings-pkce")
        app.press("settings", "back_button")
        app.press("home", "chat_button")
        app.wait_until(lambda: not screen.connecting, "the conversation to start")

        sub = customer_id(backend)
        assert (
            app.text("conversation", "conversation_status") == f"Authenticated as customer {sub} (code flow)"
        )
        first, second = sorted(exchanges(pkce_standin), key=lambda exchange: exchange["id"])
        assert ("pkce", "fail") in [(c["id"], c["status"]) for c in first["checks"]]
        assert ("pkce", "pass") in [(c["id"], c["status"]) for c in second["checks"]]
        assert second["channel"] == "mobile" and second["failure"] is None
        app.press("conversation", "back_button")
