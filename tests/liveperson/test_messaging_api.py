"""LivePerson's consumer messaging API in the stand-in, driven over a real WebSocket by
`websocket-client` against the real backend: every request type, the agent's side arriving as
notifications, bad frames answered with a code and a reason, the close codes, and
conversations that survive a restart of the stand-in."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from tests.liveperson.test_standin import app_login, code_for
from tests.support import servers
from tests.support.consumer import Socket, agent_get, agent_post, connect, idp, signup
from tests.support.servers import LiveServer

TEXT = {"type": "ContentEvent", "contentType": "text/plain"}


@pytest.fixture(scope="module")
def standin(live_backend: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with servers.standin(tmp_path_factory.mktemp("messaging_standin"), live_backend.url) as server:
        yield server


@pytest.fixture
def visitor(standin: LiveServer) -> Socket:
    return connect(standin, signup(standin))


def customer_token(backend: LiveServer, standin: LiveServer) -> str:
    issued = code_for(backend, app_login(backend))
    answer = idp(standin, "authenticate", authCode=issued["code"], redirect_uri=issued["redirect_uri"])
    assert answer.status_code == 200, answer.text
    return str(answer.json()["jwt"])


def test_get_clock_answers_the_servers_time(visitor):
    answer = visitor.request("GetClock")
    assert answer["type"] == "GetClockResponse"
    assert answer["body"]["currentTime"] / 1000 == pytest.approx(time.time(), abs=5)


def test_a_conversation_carries_messages_both_ways(live_backend, standin):
    socket = connect(standin, customer_token(live_backend, standin))
    conversation = socket.open_conversation()
    subscribed = socket.request("ms.SubscribeMessagingEvents", {"dialogId": conversation, "fromSeq": 0})
    assert subscribed["code"] == 200
    assert socket.send_text(conversation, "Where is my order?")["body"] == {"sequence": 0}
    mine = socket.notification("ms.MessagingEventNotification")["body"]["changes"][0]
    assert mine["originatorMetadata"]["role"] == "CONSUMER"

    reply = agent_post(standin, f"/{conversation}/messages", {"text": "It ships today."})
    assert reply.status_code == 201, reply.text
    change = socket.notification("ms.MessagingEventNotification")["body"]["changes"][0]
    assert change["sequence"] == 1
    assert change["event"] == {**TEXT, "message": "It ships today."}
    assert change["originatorMetadata"]["role"] == "ASSIGNED_AGENT"
    assert change["dialogId"] == conversation
    shown = agent_get(standin, f"/{conversation}")
    assert [(m["from"], m["text"]) for m in shown["messages"]] == [
        ("consumer", "Where is my order?"), ("agent", "It ships today."),
    ]
    assert shown["authenticated"] is True
    assert shown["consumer"]["customerId"]


def test_history_is_sent_from_the_sequence_asked_for(visitor):
    conversation = visitor.open_conversation()
    for text in ("one", "two", "three"):
        visitor.send_text(conversation, text)
    visitor.request("ms.SubscribeMessagingEvents", {"dialogId": conversation, "fromSeq": 1})
    changes = visitor.notification("ms.MessagingEventNotification")["body"]["changes"]
    assert [(c["sequence"], c["event"]["message"]) for c in changes] == [(1, "two"), (2, "three")]


def test_one_open_conversation_at_a_time(visitor):
    conversation = visitor.open_conversation()
    again = visitor.request("cm.ConsumerRequestConversation")
    assert again["code"] == 409
    assert conversation in again["body"]


def test_conversation_changes_are_notified_and_the_agent_can_close(visitor, standin):
    subscribed = visitor.request("cqm.SubscribeExConversations", {"convState": ["OPEN", "CLOSE"]})
    subscription = subscribed["body"]["subscriptionId"]
    assert visitor.notification("cqm.ExConversationChangeNotification")["body"] == {
        "subscriptionId": subscription, "changes": [],
    }
    conversation = visitor.open_conversation()
    opened = visitor.notification("cqm.ExConversationChangeNotification")["body"]["changes"][0]
    assert opened["type"] == "UPSERT"
    assert opened["result"]["convId"] == conversation
    assert opened["result"]["conversationDetails"]["state"] == "OPEN"
    roles = {p["role"] for p in opened["result"]["conversationDetails"]["participants"]}
    assert roles == {"CONSUMER", "ASSIGNED_AGENT"}

    assert agent_post(standin, f"/{conversation}/close").status_code == 200
    closed = visitor.notification("cqm.ExConversationChangeNotification")["body"]["changes"][0]
    assert closed["result"]["conversationDetails"]["state"] == "CLOSE"
    assert closed["result"]["conversationDetails"]["closeReason"] == "AGENT"
    assert visitor.send_text(conversation, "hello?")["code"] == 409
    assert visitor.request("cqm.UnsubscribeExConversations", {"subscriptionId": subscription})["code"] == 200


def test_the_consumer_closes_and_rates_the_conversation(visitor, standin):
    conversation = visitor.open_conversation()
    fields = [
        {"field": "CSATRate", "csatRate": 5, "csatResolutionConfirmation": True, "status": "FILLED"},
        {"field": "ConversationStateField", "conversationState": "CLOSE"},
    ]
    body = {"conversationId": conversation, "conversationField": fields}
    rated = visitor.request("cm.UpdateConversationField", body)
    assert rated["code"] == 200, rated
    shown = agent_get(standin, f"/{conversation}")
    assert (shown["state"], shown["closeReason"]) == ("CLOSE", "CONSUMER")
    assert visitor.open_conversation() != conversation  # a new one may start now


def test_read_and_typing_events_are_acknowledged(visitor):
    conversation = visitor.open_conversation()
    visitor.send_text(conversation, "hi")
    accept = {"type": "AcceptStatusEvent", "status": "READ", "sequenceList": [0]}
    typing = {"type": "ChatStateEvent", "chatState": "COMPOSING"}
    for event in (accept, typing):
        assert visitor.request("ms.PublishEvent", {"dialogId": conversation, "event": event})["code"] == 200


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("{not json", 400),
        ("[1, 2]", 400),
        (json.dumps({"kind": "req", "type": "GetClock"}), 400),  # no id
        (json.dumps({"kind": "req", "id": "x", "type": "ms.Teleport"}), 400),
        (json.dumps({"kind": "req", "id": "x", "type": "ms.PublishEvent", "body": []}), 400),
        (json.dumps({"kind": "req", "id": "x", "type": "ms.PublishEvent", "body": {"dialogId": 5}}), 400),
        (json.dumps({"kind": "req", "id": "x", "type": "ms.SubscribeMessagingEvents",
                     "body": {"dialogId": "someone-elses"}}), 404),
        (json.dumps({"kind": "req", "id": "x", "type": "cm.UpdateConversationField",
                     "body": {"conversationId": "nope", "conversationField": []}}), 404),
        (json.dumps({"kind": "req", "id": "x", "type": "cqm.SubscribeExConversations",
                     "body": {"convState": ["MAYBE"]}}), 400),
        (json.dumps({"kind": "req", "id": "x", "type": "ms.PublishEvent", "body": {"dialogId": "d", "event": {
            "type": "ContentEvent", "message": "x"}}}), 404),
        ('{"kind": "req", "id": "x", "type": "GetClock", "body": "\\ud800"}', 400),
        (json.dumps({"kind": "req", "id": "x" * 65, "type": "GetClock"}), 400),
    ],
)
def test_a_bad_frame_is_answered_with_a_code_and_the_socket_stays(visitor, frame, code):
    visitor.ws.send(frame)
    answer = visitor.receive()
    assert answer["kind"] == "resp"
    assert answer["code"] == code
    assert answer["type"] == ".ReqBody$StringResp"
    assert isinstance(answer["body"], str) and answer["body"].endswith(".")
    assert visitor.request("GetClock")["code"] == 200


@pytest.mark.parametrize("text", ["", "  ", "x" * 10_001, "nul\x00here", 7])
def test_bad_message_text_is_refused_and_not_stored(visitor, standin, text):
    conversation = visitor.open_conversation()
    event = {**TEXT, "message": text}
    answer = visitor.request("ms.PublishEvent", {"dialogId": conversation, "event": event})
    assert answer["code"] == 400
    assert agent_get(standin, f"/{conversation}")["messages"] == []


def test_init_connection_authenticates_a_socket_without_headers(standin):
    socket = connect(standin, None)
    assert socket.request("GetClock")["code"] == 200  # allowed before authentication
    assert socket.request("cm.ConsumerRequestConversation")["code"] == 401
    answer = socket.request("InitConnection", headers=[
        {"type": ".ams.headers.ClientProperties", "deviceFamily": "MOBILE", "os": "ANDROID"},
        {"type": ".ams.headers.ConsumerAuthentication", "jwt": signup(standin)},
    ])
    assert answer["code"] == 200
    conversation = socket.open_conversation()
    assert agent_get(standin, f"/{conversation}")["channel"] == "mobile"


def test_init_connection_with_a_bad_token_is_refused_and_closed_with_4401(standin):
    socket = connect(standin, None)
    answer = socket.request("InitConnection", headers=[
        {"type": ".ams.headers.ConsumerAuthentication", "jwt": "a.b.c"},
    ])
    assert answer["code"] == 401
    assert socket.closed()[0] == 4401


def test_a_bad_token_in_the_handshake_closes_with_4401_and_the_reason(standin):
    code, reason = connect(standin, "a.b.c").closed()
    assert code == 4401
    assert "not one this IdP issued" in reason


def test_an_unknown_account_closes_with_4404(standin):
    code, reason = connect(standin, signup(standin), account="999").closed()
    assert code == 4404
    assert "12345678" in reason
