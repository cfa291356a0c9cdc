"""A guest chats before logging in (an unauthenticated conversation); "Log in to chat as yourself"
leads to the login, and the login carries the same conversation over to the customer (step-up):
the history stays, and the agent sees who it is. A guest who leaves the chat finds it again on
the login screen; one whose conversation was closed meanwhile just logs in."""

from __future__ import annotations

import pytest

from tests.mobile_client.helpers import conversation, customer_id, exchanges
from tests.support import servers
from tests.support.consumer import agent_post


@pytest.mark.parametrize("flow", ["code", "implicit"])
def test_a_guest_logs_in_and_the_same_conversation_goes_on_as_theirs(drive, backend, standin, flow):
    app = drive(backend.url, standin.url, flow=flow)
    sdk, screen = app.app.messaging, app.screen("conversation")
    assert app.text("login", "guest_chat_button") == "Chat as a guest"

    app.press("login", "guest_chat_button")

    assert app.current == "conversation"
    app.wait_until(lambda: screen.can_send, "the guest's conversation")
    guest = sdk.conversation
    assert not guest.authenticated
    assert app.text("conversation", "conversation_status") == "Unauthenticated conversation"
    assert app.text("conversation", "connection_state") == "Connected"
    assert app.text("conversation", "customer_label") == "Guest"
    assert not app.widget("conversation", "step_up_button").disabled
    assert app.thread() == []
    seen = conversation(standin, guest.conversation_id)
    assert (seen["authenticated"], seen["steppedUp"], seen["consumer"]["customerId"]) == (False, False, None)

    app.type("conversation", "message_input", "Do you ship abroad?")
    app.press("conversation", "send_button")
    app.wait_until(lambda: app.thread() == ["Do you ship abroad?"], "the guest's message")
    reply = {"text": "We do. Log in and I can look at your order."}
    assert agent_post(standin, f"/{guest.conversation_id}/messages", reply).status_code == 201
    app.wait_until(lambda: len(app.thread()) == 2, "the agent's reply")
    if flow == "code":
        app.screenshot("guest-chat")

    app.press("conversation", "step_up_button")

    assert app.current == "login"
    assert app.text("login", "login_prompt") == "Log in to continue your conversation as yourself"
    assert app.text("login", "guest_chat_button") == "Back to your conversation"
    app.log_in()

    assert app.current == "conversation", app.text("login", "login_message")
    app.wait_until(lambda: sdk.stepped_up and not screen.connecting, "the step-up")
    sub = customer_id(backend)
    stepped = sdk.conversation
    assert stepped.conversation_id == guest.conversation_id
    assert (stepped.authenticated, stepped.customer_id, stepped.flow) == (True, sub, flow)
    assert app.text("conversation", "conversation_status") == f"Authenticated as customer {sub} ({flow} flow)"
    assert "stepped up from a guest conversation" in app.text("conversation", "conversation_info")
    assert app.text("conversation", "customer_label") == app.app.user["name"]
    assert app.widget("conversation", "step_up_button").disabled
    assert app.thread() == ["Do you ship abroad?", reply["text"]]  # the history stays
    seen = conversation(standin, guest.conversation_id)
    assert (seen["authenticated"], seen["steppedUp"], seen["state"]) == (True, True, "OPEN")
    assert seen["consumer"]["customerId"] == sub

    app.type("conversation", "message_input", "My order is 1234")
    app.press("conversation", "send_button")
    app.wait_until(lambda: app.thread()[-1] == "My order is 1234", "the customer's message")
    texts = [m["text"] for m in conversation(standin, guest.conversation_id)["messages"]]
    assert texts == ["Do you ship abroad?", reply["text"], "My order is 1234"]
    if flow == "code":
        app.screenshot("stepped-up")

    app.press("conversation", "back_button")  # a customer's conversation stays open at LivePerson
    assert app.current == "home"
    app.press("home", "chat_button")  # and is found again, with the guest's part of it
    app.wait_until(lambda: screen.can_send, "the customer's conversation")
    assert sdk.conversation.conversation_id == guest.conversation_id
    app.wait_until(lambda: app.thread() == texts, "the history")
    assert agent_post(standin, f"/{guest.conversation_id}/close").status_code == 200
    app.wait_until(lambda: screen.resolved, "the close")
    app.press("conversation", "back_button")


def test_a_guest_who_leaves_the_chat_finds_it_again(drive, backend, standin):
    app = drive(backend.url, standin.url)
    sdk, screen = app.app.messaging, app.screen("conversation")
    app.press("login", "guest_chat_button")
    app.wait_until(lambda: screen.can_send, "the guest's conversation")
    guest = sdk.conversation
    app.type("conversation", "message_input", "Hello?")
    app.press("conversation", "send_button")
    app.wait_until(lambda: app.thread() == ["Hello?"], "the guest's message")

    app.press("conversation", "back_button")

    assert app.current == "login"
    assert app.text("login", "guest_chat_button") == "Back to your conversation"
    assert agent_post(standin, f"/{guest.conversation_id}/messages", {"text": "Hi!"}).status_code == 201
    app.press("login", "guest_chat_button")
    assert app.current == "conversation"
    app.wait_until(lambda: app.thread() == ["Hello?", "Hi!"], "the reply, received meanwhile")
    assert sdk.conversation.conversation_id == guest.conversation_id

    assert agent_post(standin, f"/{guest.conversation_id}/close").status_code == 200
    app.wait_until(lambda: screen.resolved, "the close")
    assert not app.widget("conversation", "new_conversation_button").disabled
    app.press("conversation", "step_up_button")
    app.log_in()  # nothing open to carry over: the customer is simply logged in

    assert app.current == "home"
    assert sdk.conversation is None and app.thread() == []
    assert app.text("login", "guest_chat_button") == "Chat as a guest"
    assert conversation(standin, guest.conversation_id)["authenticated"] is False


def test_the_step_up_brings_the_sdks_pkce_parameters_when_the_account_requires_them(drive, backend, tmp_path):
    with servers.standin(tmp_path, backend.url, "--pkce") as pkce_standin:
        app = drive(backend.url, pkce_standin.url)
        sdk, screen = app.app.messaging, app.screen("conversation")
        app.press("login", "settings_button")
        app.press("settings", "pkce")
        app.press("settings", "back_button")
        app.press("login", "guest_chat_button")
        app.wait_until(lambda: screen.can_send, "the guest's conversation")
        guest = sdk.conversation

        app.press("conversation", "step_up_button")
        app.log_in()
        app.wait_until(lambda: sdk.stepped_up and not screen.connecting, "the step-up")

        assert sdk.conversation.conversation_id == guest.conversation_id
        (step_up,) = exchanges(pkce_standin)  # the code came with the verifier of its challenge
        assert ("pkce", "pass") in [(check["id"], check["status"]) for check in step_up["checks"]]
        assert step_up["failure"] is None
        assert conversation(pkce_standin, guest.conversation_id)["steppedUp"] is True
