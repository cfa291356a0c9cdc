"""Step-up: a conversation started unauthenticated goes on, with its history, as the customer's
once they log in (`reconnect` with `perform_step_up=True`); the agent then sees who it is. And
an account without unauthenticated messaging refuses to start one."""

from __future__ import annotations

import pytest

from shared.messaging_sdk import AuthenticationError, AuthenticationParams, ConnectionState, LpError, idp
from shared.messaging_sdk.consumer_token import ConsumerToken
from tests.messaging_sdk.host_app import ACCOUNT, DemoApp
from tests.support import servers
from tests.support.consumer import agent_get, agent_post


@pytest.mark.parametrize("flow", ["code", "implicit"])
def test_step_up_keeps_the_conversation_and_its_history(live_backend, standin, sdk, flow):
    app = DemoApp(live_backend)
    client, recorder = sdk(standin, AuthenticationParams.unauthenticated())
    visitor = client.conversation
    client.send_text("I am not logged in yet")
    conversation_id = visitor.conversation_id
    assert agent_post(standin, f"/{conversation_id}/messages", {"text": "Please log in"}).status_code == 201
    recorder.wait_for("message", 2)

    params = app.code_params(perform_step_up=True) if flow == "code" else app.jwt_params(perform_step_up=True)
    stepped = client.reconnect(params)

    assert stepped is not None, recorder.events
    assert stepped.conversation_id == conversation_id
    assert stepped.customer_id == app.customer_id()
    assert stepped.consumer_id != visitor.consumer_id
    assert (stepped.authenticated, stepped.flow) == (True, flow)
    assert recorder.named("started") == [visitor]  # the same conversation: not started again
    assert client.connection_state is ConnectionState.CONNECTED
    client.send_text("Now I am")
    recorder.wait_for("message", 3)
    assert [m.text for m in client.messages] == ["I am not logged in yet", "Please log in", "Now I am"]
    shown = agent_get(standin, f"/{conversation_id}")
    assert (shown["authenticated"], shown["steppedUp"], shown["state"]) == (True, True, "OPEN")
    assert shown["consumer"]["customerId"] == app.customer_id()
    assert [m["text"] for m in shown["messages"]] == ["I am not logged in yet", "Please log in", "Now I am"]
    client.close_conversation()  # the demo customer's next test starts afresh
    recorder.wait_for("resolved")


def test_without_step_up_the_customer_gets_their_own_conversation(live_backend, standin, sdk):
    """Logging in without `perform_step_up` leaves the visitor's conversation behind."""
    app = DemoApp(live_backend)
    client, recorder = sdk(standin, AuthenticationParams.unauthenticated())
    visitor = client.conversation

    authenticated = client.reconnect(app.jwt_params())

    assert authenticated is not None, recorder.events
    assert authenticated.conversation_id != visitor.conversation_id
    assert recorder.named("started") == [visitor, authenticated]
    assert agent_get(standin, f"/{visitor.conversation_id}")["authenticated"] is False


def test_a_step_up_token_liveperson_does_not_know_is_a_step_up_failure(live_backend, standin):
    """The IdP refuses the token before it calls the brand: 9008, reported as STEP_UP_FAILURE."""
    app = DemoApp(live_backend)
    forged = ConsumerToken("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4IiwiZXhwIjoxfQ.", "x", 1)

    with pytest.raises(AuthenticationError) as refused:
        idp.authenticate(standin.url, ACCOUNT, app.code_params(perform_step_up=True), 15, forged)

    error = refused.value
    assert (error.kind, error.code, error.status, error.check) == (
        LpError.STEP_UP_FAILURE,
        "9008",
        401,
        "step-up",
    )
    assert error.reason.startswith("9008 ")


def test_an_account_without_unauthenticated_messaging_refuses_a_visitor(live_backend, sdk, tmp_path):
    with servers.standin(tmp_path, live_backend.url, "--no-unauthenticated-messaging") as closed_standin:
        client, recorder = sdk(closed_standin)

        assert client.start_conversation(AuthenticationParams.unauthenticated()) is None

        error = recorder.failure()
        assert (error.kind, error.code, error.status) == (LpError.IDP, "9015", 403)
        assert "does not allow unauthenticated messaging" in error.message
        assert client.conversation is None
        assert recorder.names() == ["state", "state", "failed"]  # connecting, disconnected
        assert client.start_conversation(DemoApp(live_backend).jwt_params()) is not None  # customers may
        client.logout()
