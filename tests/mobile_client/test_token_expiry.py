"""The token expires -> the SDK tells the app -> the app fetches a fresh code or JWT from the
backend and reconnects -> the customer is still authenticated, as the same customer."""

from __future__ import annotations

import pytest

from tests.mobile_client.helpers import conversations, customer_id


@pytest.mark.parametrize("flow", ["code", "implicit"])
def test_an_expired_token_is_renewed_and_the_customer_stays_authenticated(
    drive, short_backend, short_standin, flow
):
    app = drive(short_backend.url, short_standin.url, flow=flow)
    app.log_in()
    app.press("home", "chat_button")
    sdk, screen = app.app.messaging, app.screen("conversation")
    app.wait_until(lambda: sdk.conversation is not None, "the first conversation")
    first = sdk.conversation

    app.wait_until(lambda: sdk.renewals >= 1 and not screen.connecting, "a reconnect after the expiry")

    sub = customer_id(short_backend)
    status = app.text("conversation", "conversation_status")
    assert status.startswith(f"Authenticated as customer {sub} ({flow} flow)"), status
    assert "reconnected after the token expired" in status
    renewed = sdk.conversation
    assert renewed is not None and renewed.sub == first.sub == sub
    assert renewed.conversation_id != first.conversation_id
    assert renewed.expires_at > first.expires_at
    listed = {c["conversation_id"]: c for c in conversations(short_standin)}
    assert listed[renewed.conversation_id]["sub"] == sub
    assert listed[renewed.conversation_id]["flow"] == flow
    if flow == "code":
        app.screenshot("conversation-renewed")
