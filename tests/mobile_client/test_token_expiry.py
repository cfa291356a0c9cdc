"""The token expires -> LivePerson closes the socket (4401) -> the SDK tells the app -> the app
fetches a fresh code or JWT from the backend and reconnects -> the same conversation goes on,
for the same customer."""

from __future__ import annotations

import pytest

from tests.mobile_client.helpers import conversation, customer_id


@pytest.mark.parametrize("flow", ["code", "implicit"])
def test_an_expired_token_is_renewed_and_the_conversation_goes_on(drive, short_backend, short_standin, flow):
    app = drive(short_backend.url, short_standin.url, flow=flow)
    app.log_in()
    app.press("home", "chat_button")
    sdk, screen = app.app.messaging, app.screen("conversation")
    app.wait_until(lambda: screen.can_send, "the first conversation")
    first = sdk.conversation
    app.type("conversation", "message_input", f"Before the expiry ({flow})")
    app.press("conversation", "send_button")

    app.wait_until(lambda: sdk.renewals >= 1 and not screen.connecting, "a reconnect after the expiry")

    sub = customer_id(short_backend)
    status = app.text("conversation", "conversation_status")
    assert status == f"Authenticated as customer {sub} ({flow} flow) - reconnected after the token expired"
    renewed = sdk.conversation
    assert renewed.conversation_id == first.conversation_id
    assert renewed.customer_id == first.customer_id == sub
    assert renewed.expires_at > first.expires_at
    assert f"Before the expiry ({flow})" in app.thread()  # the history stays on the screen
    assert screen.can_send and not app.widget("conversation", "message_input").disabled
    shown = conversation(short_standin, renewed.conversation_id)
    assert (shown["consumer"]["customerId"], shown["state"]) == (sub, "OPEN")
    assert f"Before the expiry ({flow})" in [m["text"] for m in shown["messages"]]
    if flow == "code":
        app.screenshot("conversation-renewed")
    app.press("conversation", "back_button")
