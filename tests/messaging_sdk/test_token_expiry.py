"""Expiry, driven by LivePerson's close codes. 4401: the customer's token expired, the SDK asks the
app (`on_token_expired`), the app reconnects with a fresh code or JWT, and the same conversation
goes on; if that fails, the SDK reports it and stops. 4407: the visitor's identity expired, the
SDK extends it by itself and the same conversation goes on. Tokens here really expire: the
short backend's after SHORT_LIFETIME seconds, the visitor's after --unauthenticated-lifetime."""

from __future__ import annotations

import threading

from shared.messaging_sdk import AuthenticationParams, ConnectionState
from tests.messaging_sdk.host_app import DemoApp, Recorder, close_open_conversations
from tests.support import servers
from tests.support.consumer import agent_get
from tests.support.servers import SHORT_LIFETIME

CONNECTING, CONNECTED, DISCONNECTED = (
    ConnectionState.CONNECTING,
    ConnectionState.CONNECTED,
    ConnectionState.DISCONNECTED,
)
DEADLINE = SHORT_LIFETIME + 30  # seconds a short token may take to expire on a slow machine


def test_4401_asks_the_app_and_the_reconnect_continues_the_conversation(short_backend, short_standin, sdk):
    app = DemoApp(short_backend)
    close_open_conversations(short_standin)
    client, recorder = sdk(short_standin, app.code_params())
    first = client.conversation
    client.send_text("Before the expiry")
    recorder.wait_for("message")

    recorder.wait_for("token_expired", wait=DEADLINE)

    assert recorder.thread_of("token_expired") is not threading.current_thread()
    assert client.connection_state is DISCONNECTED
    renewed = client.reconnect(app.jwt_params())  # what the app does in on_token_expired
    assert renewed is not None, recorder.events
    assert renewed.conversation_id == first.conversation_id
    assert renewed.customer_id == first.customer_id == app.customer_id()
    assert renewed.expires_at >= first.expires_at
    assert recorder.named("started") == [first]
    client.send_text("After the expiry")
    recorder.wait_for("message", 2)
    assert [m.text for m in client.messages] == ["Before the expiry", "After the expiry"]
    shown = agent_get(short_standin, f"/{first.conversation_id}")
    assert [m["text"] for m in shown["messages"]] == ["Before the expiry", "After the expiry"]


class RenewingApp(Recorder):
    """Reconnects from `on_token_expired` with a fresh JWT, as a host app does (on its own
    worker; here on the callback's thread, which is allowed: it is not the new socket's reader)."""

    def __init__(self, app: DemoApp) -> None:
        super().__init__()
        self.app = app
        self.client = None

    def on_token_expired(self) -> None:
        super().on_token_expired()
        self._record("renewed", self.client.reconnect(self.app.jwt_params()))


def test_the_app_renews_from_the_callback_again_and_again(short_backend, short_standin, sdk):
    app = DemoApp(short_backend)
    client, _ = sdk(short_standin)
    renewing = RenewingApp(app)
    renewing.client = client
    client.set_listener(renewing)
    first = client.start_conversation(app.code_params())
    assert first is not None, renewing.events

    renewing.wait_for("renewed", 2, wait=2 * DEADLINE)

    assert [renewed.conversation_id for renewed in renewing.named("renewed")[:2]] == [
        first.conversation_id
    ] * 2
    assert renewing.named("failed") == []
    assert renewing.named("started") == [first]


def test_a_failed_renewal_is_reported_once_and_not_retried(short_backend, short_standin, sdk):
    app = DemoApp(short_backend)
    used = app.code_params()
    client, recorder = sdk(short_standin, used)
    conversation = client.conversation
    recorder.wait_for("token_expired", wait=DEADLINE)

    assert client.reconnect(used) is None  # a code already redeemed: 9011

    assert recorder.failure().code == "9011"
    assert recorder.quiet_for(SHORT_LIFETIME + 1) == []  # no retry, no second expiry
    assert client.conversation == conversation  # kept for the app's next reconnect
    assert client.reconnect(app.code_params()).conversation_id == conversation.conversation_id


def test_4407_the_visitors_identity_is_extended_and_the_conversation_goes_on(live_backend, sdk, tmp_path):
    with servers.standin(tmp_path, live_backend.url, "--unauthenticated-lifetime", "2") as standin:
        client, recorder = sdk(standin, AuthenticationParams.unauthenticated())
        first = client.conversation
        client.send_text("Still a visitor")

        recorder.wait_for("unauthenticated_expired")
        recorder.wait_for("state", 5)

        assert recorder.named("state")[:5] == [CONNECTING, CONNECTED, DISCONNECTED, CONNECTING, CONNECTED]
        extended = client.conversation
        assert (extended.conversation_id, extended.consumer_id) == (first.conversation_id, first.consumer_id)
        assert extended.expires_at > first.expires_at
        assert recorder.named("failed") == []
        assert recorder.named("started") == [first]
        client.send_text("And still here")
        recorder.wait_for("message", 2)
        assert [m.text for m in client.messages] == ["Still a visitor", "And still here"]
        client.logout()
