"""A consumer's socket over time: closed with 4401 when the customer's token expires and the
same conversation found again after re-authentication, 4407 and an extended identity for a
visitor, 1000 after a silence unless kept alive, and conversations that outlive the stand-in's
process."""

from __future__ import annotations

import time

from tests.liveperson.test_messaging_api import customer_token
from tests.support import servers
from tests.support.consumer import Socket, agent_get, claims, connect, signup
from tests.support.servers import SHORT_LIFETIME


def open_conversations(socket: Socket) -> list[str]:
    socket.request("cqm.SubscribeExConversations", {"convState": ["OPEN"]})
    changes = socket.notification("cqm.ExConversationChangeNotification")["body"]["changes"]
    return [change["result"]["convId"] for change in changes]


def test_4401_when_the_customers_token_expires_then_the_same_conversation(short_backend, short_standin):
    socket = connect(short_standin, customer_token(short_backend, short_standin))
    conversation = socket.open_conversation()
    started = time.monotonic()
    code, reason = socket.closed()
    assert code == 4401
    assert reason == "The consumer token has expired."
    assert time.monotonic() - started < SHORT_LIFETIME + 2
    # The SDK asks the brand's app for a fresh code and reconnects: the conversation goes on.
    again = connect(short_standin, customer_token(short_backend, short_standin))
    assert open_conversations(again) == [conversation]
    assert again.send_text(conversation, "Still there?")["code"] == 200


def test_4407_for_a_visitor_then_the_extended_identity_keeps_the_conversation(live_backend, tmp_path):
    # Long enough to open the conversation on a busy machine, short enough to wait for.
    with servers.standin(tmp_path, live_backend.url, "--unauthenticated-lifetime", "4") as standin:
        token = signup(standin)
        conversation = connect(standin, token).open_conversation()
        time.sleep(max(0.0, claims(token)["exp"] - time.time()) + 0.3)
        assert connect(standin, token).closed()[0] == 4407
        again = connect(standin, signup(standin, token))
        assert open_conversations(again) == [conversation]


def test_a_silent_socket_closes_and_a_kept_alive_one_does_not(live_backend, tmp_path):
    with servers.standin(tmp_path, live_backend.url, "--idle-timeout", "1") as standin:
        token = signup(standin)
        kept = connect(standin, token)
        silent = connect(standin, token)
        for _ in range(6):
            time.sleep(0.3)
            assert kept.request("GetClock")["code"] == 200
        code, reason = silent.closed()
        assert code == 1000
        assert "GetClock" in reason


def test_conversations_and_tokens_survive_a_restart(live_backend, tmp_path):
    with servers.standin(tmp_path, live_backend.url) as standin:
        token = customer_token(live_backend, standin)
        socket = connect(standin, token)
        conversation = socket.open_conversation()
        socket.send_text(conversation, "Before the restart")
        port = int(standin.url.rsplit(":", 1)[1])
    with servers.standin(tmp_path, live_backend.url, port=port) as standin:
        socket = connect(standin, token)  # the signing key is kept in the instance folder
        assert open_conversations(socket) == [conversation]
        shown = agent_get(standin, f"/{conversation}")
        assert [m["text"] for m in shown["messages"]] == ["Before the restart"]
        assert shown["authenticated"] is True
