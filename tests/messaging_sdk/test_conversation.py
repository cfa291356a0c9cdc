"""Conversations held over LivePerson's consumer API, against the real backend and a real
stand-in on loopback, with the stand-in's agent API playing the brand's agent: the customer
LivePerson sees is the one logged in at the brand; messages go both ways; either side closes."""

from __future__ import annotations

import threading

import pytest

from shared.messaging_sdk import (
    AuthenticationParams,
    AuthType,
    ConnectionState,
    LpError,
    RequestError,
    get_pkce_params,
)
from shared.messaging_sdk.consumer_token import ConsumerToken
from tests.messaging_sdk.host_app import DemoApp, close_open_conversations
from tests.support import servers
from tests.support.consumer import agent_get, agent_post

CONNECTING, CONNECTED = ConnectionState.CONNECTING, ConnectionState.CONNECTED


@pytest.mark.parametrize("flow", ["code", "implicit"])
def test_a_flow_starts_a_conversation_for_the_logged_in_customer(live_backend, standin, sdk, flow):
    app = DemoApp(live_backend)
    close_open_conversations(standin)  # so that no history arrives
    client, recorder = sdk(standin)
    params = app.code_params() if flow == "code" else app.jwt_params()

    conversation = client.start_conversation(params)

    assert conversation is not None, recorder.events
    assert conversation.customer_id == app.customer_id()
    assert (conversation.type, conversation.flow, conversation.state) == (AuthType.AUTH, flow, "OPEN")
    assert recorder.events == [("state", CONNECTING), ("started", conversation), ("state", CONNECTED)]
    assert set(recorder.threads) == {threading.current_thread()}
    assert client.conversation == conversation
    assert client.connection_state is CONNECTED
    shown = agent_get(standin, f"/{conversation.conversation_id}")
    assert (shown["state"], shown["channel"], shown["authenticated"]) == ("OPEN", "mobile", True)
    assert shown["consumer"]["customerId"] == conversation.customer_id
    assert shown["consumer"]["consumerId"] == conversation.consumer_id


def test_code_flow_with_the_sdks_pkce_params(live_backend, sdk, tmp_path):
    """The SDK makes the verifier; the app authorizes with its challenge; the stand-in, which
    requires PKCE, redeems the code with the verifier. Without one it refuses."""
    app = DemoApp(live_backend)
    with servers.standin(tmp_path, live_backend.url, "--pkce") as pkce_standin:
        without, refused = sdk(pkce_standin)
        assert without.start_conversation(app.code_params()) is None
        error = refused.failure()
        assert (error.kind, error.code, error.check) == (LpError.IDP, "9012", "pkce")
        assert "no code_verifier" in error.reason

        client, recorder = sdk(pkce_standin)
        conversation = client.start_conversation(app.code_params(get_pkce_params()))

        assert conversation is not None, recorder.events
        assert conversation.customer_id == app.customer_id()
        client.logout()


def test_an_unauthenticated_conversation_has_a_consumer_but_no_customer(standin, sdk):
    client, recorder = sdk(standin)

    conversation = client.start_conversation(AuthenticationParams.unauthenticated())

    assert conversation is not None, recorder.events
    assert (conversation.type, conversation.authenticated, conversation.customer_id, conversation.flow) == (
        AuthType.UN_AUTH,
        False,
        None,
        None,
    )
    shown = agent_get(standin, f"/{conversation.conversation_id}")
    assert (shown["authenticated"], shown["consumer"]["customerId"]) == (False, None)
    assert shown["consumer"]["consumerId"] == conversation.consumer_id


def test_text_goes_to_the_agent_and_the_agents_reply_comes_back_once(standin, sdk):
    client, recorder = sdk(standin, AuthenticationParams.unauthenticated())
    conversation = client.conversation

    assert client.send_text("Where is my parcel?") == 0
    echo = recorder.wait_for("message")
    reply = agent_post(standin, f"/{conversation.conversation_id}/messages", {"text": "On its way."})
    assert reply.status_code == 201, reply.text
    answer = recorder.wait_for("message", 2)

    assert (echo.sequence, echo.text, echo.from_consumer) == (0, "Where is my parcel?", True)
    assert (answer.sequence, answer.text, answer.from_consumer, answer.role) == (
        1,
        "On its way.",
        False,
        "ASSIGNED_AGENT",
    )
    assert recorder.thread_of("message") is not threading.current_thread()  # the socket's reader
    assert client.messages == [echo, answer]
    shown = agent_get(standin, f"/{conversation.conversation_id}")
    assert [(m["from"], m["text"]) for m in shown["messages"]] == [
        ("consumer", "Where is my parcel?"),
        ("agent", "On its way."),
    ]


def test_the_customer_finds_the_open_conversation_and_its_history_again(live_backend, standin, sdk):
    app = DemoApp(live_backend)
    close_open_conversations(standin)
    first, first_recorder = sdk(standin, app.code_params())
    first.send_text("Before I logged out")
    first_recorder.wait_for("message")
    first.logout()

    client, recorder = sdk(standin, app.jwt_params())

    assert client.conversation.conversation_id == first_recorder.named("started")[0].conversation_id
    assert recorder.wait_for("message").text == "Before I logged out"
    assert client.messages == [recorder.named("message")[0]]


@pytest.mark.parametrize("closed_by", ["CONSUMER", "AGENT"])
def test_either_side_closes_and_the_conversation_is_resolved(standin, sdk, closed_by):
    client, recorder = sdk(standin, AuthenticationParams.unauthenticated())
    conversation_id = client.conversation.conversation_id

    if closed_by == "CONSUMER":
        client.close_conversation()
    else:
        assert agent_post(standin, f"/{conversation_id}/close").status_code == 200
    resolved = recorder.wait_for("resolved")

    assert (resolved.conversation_id, resolved.state, resolved.close_reason) == (
        conversation_id,
        "CLOSE",
        closed_by,
    )
    assert client.conversation == resolved
    assert agent_get(standin, f"/{conversation_id}")["state"] == "CLOSE"
    with pytest.raises(RequestError, match="resolved") as refused:
        client.send_text("Hello?")
    assert refused.value.code == 409
    assert recorder.named("resolved") == [resolved]  # once


def test_a_refused_message_raises_with_livepersons_reason(standin, sdk):
    client, _ = sdk(standin, AuthenticationParams.unauthenticated())

    with pytest.raises(RequestError, match="at most 10000 characters") as refused:
        client.send_text("x" * 10_001)

    assert refused.value.code == 400


def test_nothing_is_sent_before_a_conversation(standin, sdk):
    client, _ = sdk(standin)

    with pytest.raises(RequestError, match="Not connected"):
        client.send_text("Hello?")
    with pytest.raises(RequestError, match="Not connected"):
        client.close_conversation()


def test_the_account_is_part_of_the_path(live_backend, standin, sdk):
    client, recorder = sdk(standin, account="99999")

    assert client.start_conversation(DemoApp(live_backend).jwt_params()) is None

    error = recorder.failure()
    assert (error.kind, error.status, error.error) == (LpError.IDP, 404, "Unknown account")
    assert "12345678" in error.message
    assert client.conversation is None


def test_the_consumer_token_is_read_without_its_key(live_backend, standin, sdk):
    """The client has no key to verify LivePerson's token; it reads `sub`, `exp` and `lp.ext`."""
    app = DemoApp(live_backend)
    client, _ = sdk(standin, app.code_params())
    conversation = client.conversation

    assert len(conversation.consumer_id) == 64  # LivePerson's consumer id, not the brand's sub
    assert conversation.customer_id == app.customer_id()
    assert conversation.expires_at > 0
    with pytest.raises(ValueError, match="not a JWT"):
        ConsumerToken.read("not-a-token")
