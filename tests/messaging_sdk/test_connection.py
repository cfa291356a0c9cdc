"""The socket over time: kept alive past LivePerson's idle close, reconnected by the SDK itself
when LivePerson closes it or goes away (back to the same conversation), and given up, once and
reported, when LivePerson stays away."""

from __future__ import annotations

from shared.messaging_sdk import AuthenticationParams, ConnectionState, LpError
from tests.messaging_sdk.host_app import DemoApp
from tests.support import servers
from tests.support.consumer import agent_get

CONNECTING, CONNECTED, DISCONNECTED = (
    ConnectionState.CONNECTING,
    ConnectionState.CONNECTED,
    ConnectionState.DISCONNECTED,
)
IDLE_TIMEOUT = "1"  # seconds the stand-in below waits for a frame before it closes a socket
QUICK = (0.1, 0.2, 0.4, 0.8, 1.6, 3.2)  # reconnection delays for the tests


def test_keep_alive_holds_the_socket_open_past_the_idle_timeout(live_backend, sdk, tmp_path):
    with servers.standin(tmp_path, live_backend.url, "--idle-timeout", IDLE_TIMEOUT) as standin:
        client, recorder = sdk(standin, AuthenticationParams.unauthenticated(), keepalive_interval=0.3)

        assert recorder.quiet_for(3 * float(IDLE_TIMEOUT)) == []  # no close, no reconnect

        assert client.connection_state is CONNECTED
        assert client.send_text("Still here") == 0
        client.logout()


def test_a_socket_liveperson_closes_is_reconnected_to_the_same_conversation(live_backend, sdk, tmp_path):
    """Without keep-alive the idle socket is closed (1000); the SDK reconnects by itself."""
    with servers.standin(tmp_path, live_backend.url, "--idle-timeout", IDLE_TIMEOUT) as standin:
        client, recorder = sdk(
            standin, AuthenticationParams.unauthenticated(), keepalive_interval=60, reconnect_delays=QUICK
        )
        first = client.conversation

        recorder.wait_for("state", 5)

        assert recorder.named("state")[:5] == [CONNECTING, CONNECTED, DISCONNECTED, CONNECTING, CONNECTED]
        assert client.conversation == first
        assert recorder.named("started") == [first]
        assert recorder.named("failed") == []
        client.logout()


def test_liveperson_restarted_the_sdk_reconnects_and_the_conversation_goes_on(live_backend, sdk, tmp_path):
    app = DemoApp(live_backend)
    with servers.standin(tmp_path, live_backend.url) as standin:
        client, recorder = sdk(standin, app.code_params(), reconnect_delays=QUICK)
        first = client.conversation
        client.send_text("Before the restart")
        recorder.wait_for("message")
        port = int(standin.url.rsplit(":", 1)[1])
    recorder.wait_for_state(DISCONNECTED)  # the socket is lost with the process
    with servers.standin(tmp_path, live_backend.url, port=port) as standin:  # same port, same records
        recorder.wait_for_state(CONNECTED, 2)

        assert client.conversation.conversation_id == first.conversation_id
        client.send_text("After the restart")
        recorder.wait_for("message", 2)
        shown = agent_get(standin, f"/{first.conversation_id}")
        assert [m["text"] for m in shown["messages"]] == ["Before the restart", "After the restart"]
        assert recorder.named("failed") == []
        client.logout()


def test_liveperson_gone_for_good_is_reported_once_after_the_last_attempt(live_backend, sdk, tmp_path):
    with servers.standin(tmp_path, live_backend.url) as standin:
        client, recorder = sdk(
            standin, AuthenticationParams.unauthenticated(), reconnect_delays=(0.1, 0.1, 0.1)
        )

    error = recorder.wait_for("failed")

    assert (error.kind, error.error) == (LpError.SOCKET, "Disconnected")
    assert "3 attempts to reconnect failed" in error.message
    assert recorder.named("state")[-1] is DISCONNECTED
    assert recorder.quiet_for(0.5) == []
    assert client.connection_state is DISCONNECTED
