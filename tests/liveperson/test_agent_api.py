"""The agent's JSON API (shared/liveperson/agent/api.py) over a real store and hub: every
endpoint and error status, bad input changing nothing, the consumer shown as LivePerson maps
the id_token's claims, changes reaching the consumer's listeners, and no other origin let in."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from shared.liveperson import create_app
from shared.liveperson.agent import reply
from shared.liveperson.agent.profile import consumer_profile
from shared.liveperson.messaging.text import MAX_LENGTH
from shared.liveperson.settings import StandInSettings
from shared.liveperson.store import Store
from shared.liveperson.store.models import Conversation, Message
from shared.validation.authenticate import Settings as ValidationSettings

ISSUER = "http://127.0.0.1:9/brand"
API = "/api/agent/conversations"
FOREIGN = "http://evil.example"
ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")

# What the brand's id_token carries (less the protocol claims the IdP drops): the mapped claims,
# and others LivePerson does not show.
CLAIMS: dict[str, Any] = {
    "sub": "alice-1",
    "given_name": "Alice",
    "family_name": "Liddell",
    "email": "alice@example.com",
    "phone_number": "+44 20 7946 0000",
    "gender": "female",
    "preferred_username": "alice",
    "birthdate": "1852-05-04",
    "address": {"country": "GB"},
    "email_verified": True,
    "acr": "loa1",
}
SDES: list[Any] = [
    {
        "type": "ctmrinfo",
        "info": {"cstatus": "gold", "ctype": "vip", "customerId": "alice-1", "balance": -400.99},
    },
    {
        "type": "personal",
        "personal": {"firstname": "Alice", "language": "en-GB", "contacts": [{"email": "alice@example.com"}]},
    },
]


def agent_app(folder: Path) -> Flask:
    """The stand-in, in process, its store in `folder`."""
    settings = StandInSettings(validation=ValidationSettings(issuer=ISSUER), instance_folder=folder)
    return create_app(settings)


def alice(store: Store, claims: dict[str, Any] | None = None, sdes: list[Any] | None = None) -> str:
    """The brand's customer alice-1 as a consumer; her consumer id."""
    consumer = store.authenticated(
        str(uuid.uuid4()), ISSUER, "alice-1", claims or CLAIMS, SDES if sdes is None else sdes
    )
    return consumer.id


@dataclass(eq=False)  # compared and hashed by identity: the hub keeps listeners in sets
class Recorder:
    """A hub listener, as a consumer's socket is one."""

    messages: list[Message] = field(default_factory=list)
    changes: list[Conversation] = field(default_factory=list)

    def message_added(self, message: Message) -> None:
        self.messages.append(message)

    def conversation_changed(self, conversation: Conversation) -> None:
        self.changes.append(conversation)


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return agent_app(tmp_path)


@pytest.fixture
def store(app: Flask) -> Store:
    return app.extensions["store"]


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def alices_conversation(store: Store) -> Conversation:
    """Alice's open web conversation, with one message from her."""
    conversation = store.open_conversation(alice(store), "web")
    store.add_message(conversation.id, "consumer", conversation.consumer_id, "Hello, I need help")
    return conversation


@pytest.fixture
def open_conversation(store: Store) -> Conversation:
    return alices_conversation(store)


@pytest.fixture(scope="module")
def unchanging(tmp_path_factory: pytest.TempPathFactory) -> tuple[Flask, Conversation]:
    """One stand-in for the tests whose requests must change nothing: each would fail if one
    before it had changed the store."""
    app = agent_app(tmp_path_factory.mktemp("agent_api"))
    return app, alices_conversation(app.extensions["store"])


def snapshot(store: Store) -> list[tuple[Any, ...]]:
    """Everything the agent API could change: each conversation's state and messages."""
    return [
        (
            s.conversation.id,
            s.conversation.state,
            s.conversation.close_reason,
            [(m.sequence, m.originator, m.text) for m in store.messages(s.conversation.id)],
        )
        for s in store.summaries()
    ]


def assert_error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error", "message"}
    assert body["error"] and body["message"].endswith(".")
    return body


# -- reading -------------------------------------------------------------------------------


def test_an_empty_stand_in_lists_no_conversation(client):
    response = client.get(API)
    assert response.status_code == 200
    assert response.get_json() == {"conversations": []}


def test_the_list_shows_each_conversation_newest_first(client, store, app):
    first = store.open_conversation(alice(store), "web")
    store.add_message(first.id, "consumer", first.consumer_id, "one")
    store.add_message(first.id, "consumer", first.consumer_id, "two")
    store.close(first.id, "CONSUMER")
    visitor = store.new_unauthenticated()
    second = store.open_conversation(visitor.id, "popout")

    listed = client.get(API).get_json()["conversations"]

    assert [c["conversationId"] for c in listed] == [second.id, first.id]
    newest, oldest = listed
    assert newest == {
        "conversationId": second.id,
        "state": "OPEN",
        "authenticated": False,
        "consumer": {"consumerId": visitor.id, "customerId": None, "issuer": None},
        "sdes": [],
        "channel": "popout",
        "messages": 0,
        "openedAt": newest["openedAt"],
        "closedAt": None,
        "closeReason": None,
        "steppedUp": False,
    }
    assert ISO_UTC.fullmatch(newest["openedAt"])
    assert (oldest["state"], oldest["closeReason"], oldest["messages"]) == ("CLOSE", "CONSUMER", 2)
    assert oldest["authenticated"] is True
    assert ISO_UTC.fullmatch(oldest["closedAt"]) and oldest["closedAt"] >= oldest["openedAt"]
    assert oldest["sdes"] == SDES


def test_the_consumer_is_shown_as_livepersons_mapping_of_the_claims(client, open_conversation):
    consumer = client.get(API).get_json()["conversations"][0]["consumer"]
    # "OpenID Token structure": sub, names, email, gender, preferred_username, phone_number.
    assert consumer == {
        "consumerId": open_conversation.consumer_id,
        "customerId": "alice-1",
        "issuer": ISSUER,
        "userName": "alice",
        "firstname": "Alice",
        "lastname": "Liddell",
        "gender": "female",
        "email": "alice@example.com",
        "phone": "+44 20 7946 0000",
    }


def test_claims_livepersons_mapping_omits_are_not_shown(store, client):
    store.open_conversation(
        alice(
            store,
            claims={"sub": "alice-1", "email": "a@example.com", "birthdate": "1852-05-04", "locale": "en"},
        ),
        "web",
    )
    consumer = client.get(API).get_json()["conversations"][0]["consumer"]
    assert set(consumer) == {"consumerId", "customerId", "issuer", "email"}
    assert "1852" not in str(consumer)


def test_the_engagement_attributes_cannot_replace_the_customer_id(store):
    # An lp_sdes claim left among the claims, whose ctmrinfo names another customer, and
    # claims of the wrong type: the Customer ID is the sub, and every value is text.
    claims = {
        "sub": "alice-1",
        "email": 42,
        "given_name": {"first": "A"},
        "lp_sdes": [{"type": "ctmrinfo", "info": {"customerId": "mallory", "userName": "m"}}],
    }
    consumer = store.consumer(alice(store, claims=claims))
    assert consumer is not None
    profile = consumer_profile(consumer)
    assert (profile["customerId"], profile["email"], profile["firstname"]) == (
        "alice-1",
        "42",
        '{"first": "A"}',
    )
    assert "userName" not in profile


def test_a_stepped_up_conversation_is_authenticated_and_says_so(client, store):
    visitor = store.new_unauthenticated()
    conversation = store.open_conversation(visitor.id, "web")
    store.add_message(conversation.id, "consumer", visitor.id, "before logging in")
    store.step_up(visitor.id, alice(store))
    shown = client.get(f"{API}/{conversation.id}").get_json()
    assert (shown["steppedUp"], shown["authenticated"], shown["consumer"]["customerId"]) == (
        True,
        True,
        "alice-1",
    )
    assert [m["text"] for m in shown["messages"]] == ["before logging in"]


def test_a_conversation_shows_its_messages_in_order(client, store, open_conversation, app):
    store.add_message(open_conversation.id, "agent", app.extensions["agent_id"], "How can I help?")
    response = client.get(f"{API}/{open_conversation.id}")
    assert response.status_code == 200
    shown = response.get_json()
    listed = client.get(API).get_json()["conversations"][0]
    # The detail adds the messages themselves, and what the bot did (nothing: no bot here).
    assert shown.pop("botActivity") == []
    assert {k: v for k, v in shown.items() if k != "messages"} == {
        k: v for k, v in listed.items() if k != "messages"
    }
    assert [(m["sequence"], m["from"], m["text"]) for m in shown["messages"]] == [
        (0, "consumer", "Hello, I need help"),
        (1, "agent", "How can I help?"),
    ]
    assert all(set(m) == {"sequence", "from", "text", "at"} for m in shown["messages"])
    assert all(ISO_UTC.fullmatch(m["at"]) for m in shown["messages"])


@pytest.mark.parametrize(
    "conversation_id",
    [
        "no-such-conversation",
        str(uuid.uuid4()),
        "a%00b",
        "%ED%A0%80",
        "%FF",
        "x" * 5000,
        "'; drop table x --",
    ],
)
def test_an_unknown_conversation_is_a_404_never_a_500(client, conversation_id):
    for method, path in (("GET", ""), ("POST", "/messages"), ("POST", "/close")):
        response = client.open(f"{API}/{conversation_id}{path}", method=method, json={"text": "hi"})
        assert_error(response, 404)


# -- replying ------------------------------------------------------------------------------


def test_the_agents_reply_is_stored_and_told_to_the_conversations_followers(
    client, store, app, open_conversation
):
    follower = Recorder()
    app.extensions["hub"].follow_conversation(open_conversation.id, follower)

    response = client.post(f"{API}/{open_conversation.id}/messages", json={"text": "On it.\nOne moment"})

    assert response.status_code == 201
    sent = response.get_json()
    assert (sent["sequence"], sent["from"], sent["text"]) == (1, "agent", "On it.\nOne moment")
    assert ISO_UTC.fullmatch(sent["at"])
    stored = store.messages(open_conversation.id)[-1]
    assert (stored.sequence, stored.originator, stored.originator_id, stored.text) == (
        1,
        "agent",
        app.extensions["agent_id"],
        "On it.\nOne moment",
    )
    assert [(m.conversation_id, m.sequence, m.text) for m in follower.messages] == [
        (open_conversation.id, 1, "On it.\nOne moment")
    ]
    assert follower.changes == []
    assert client.get(API).get_json()["conversations"][0]["messages"] == 2


def test_a_reply_of_the_longest_allowed_text_is_stored(client, store, open_conversation):
    text = "é" * MAX_LENGTH
    assert client.post(f"{API}/{open_conversation.id}/messages", json={"text": text}).status_code == 201
    assert store.messages(open_conversation.id)[-1].text == text


@pytest.mark.parametrize(
    "body",
    [
        b"hello",
        b"",
        b"[]",
        b'"text"',
        b"null",
        b"{}",
        b'{"text": ""}',
        b'{"text": "  \\n\\t "}',
        b'{"text": 5}',
        b'{"text": null}',
        b'{"text": ["hi"]}',
        b'{"text": {"body": "hi"}}',
        b'{"text": "' + b"a" * (MAX_LENGTH + 1) + b'"}',
        b'{"text": "a\\u0000b"}',
        b'{"text": "a\x00b"}',
        b'{"text": "lone \\ud800 surrogate"}',
        b'{"text": "low \\udfff"}',
        b'{"text": "hi", "text": "again"}',
        b'{"text": NaN}',
        b"\xff\xfe",
        b'{"text": "hi"',
        b"[" * 10_000 + b"]" * 10_000,
    ],
    ids=lambda body: body[:24].decode("latin-1"),
)
def test_a_bad_reply_is_a_400_with_a_reason_and_changes_nothing(unchanging, body):
    app, open_conversation = unchanging
    client, store = app.test_client(), app.extensions["store"]
    follower = Recorder()
    app.extensions["hub"].follow_conversation(open_conversation.id, follower)
    before = snapshot(store)
    response = client.post(
        f"{API}/{open_conversation.id}/messages", data=body, content_type="application/json"
    )
    reason = assert_error(response, 400)["message"]
    assert reason.count(". ") == 0, reason  # one sentence
    assert snapshot(store) == before
    assert follower.messages == []


def test_a_reply_not_sent_as_json_or_too_large_is_refused(client, store, open_conversation):
    before = snapshot(store)
    url = f"{API}/{open_conversation.id}/messages"
    # A form post, which any page can send without asking: refused for its type.
    assert_error(client.post(url, data={"text": "hi"}), 415)
    assert_error(client.post(url, data='{"text": "hi"}', content_type="text/plain"), 415)
    huge = b'{"text": "' + b"a" * reply.BODY_LIMIT + b'"}'
    assert_error(client.post(url, data=huge, content_type="application/json"), 413)
    assert snapshot(store) == before


def test_a_closed_conversation_takes_no_reply(client, store, open_conversation):
    store.close(open_conversation.id, "CONSUMER")
    before = snapshot(store)
    url = f"{API}/{open_conversation.id}/messages"
    assert_error(client.post(url, json={"text": "Still there?"}), 409)
    # Whatever the body: a closed conversation is read-only, and that is what the agent is told.
    assert_error(client.post(url, data=b"{", content_type="application/json"), 409)
    assert snapshot(store) == before


# -- closing -------------------------------------------------------------------------------


def test_the_agent_closes_a_conversation_and_the_consumer_is_told(client, store, app, open_conversation):
    follower = Recorder()
    app.extensions["hub"].follow_consumer(open_conversation.consumer_id, follower)

    response = client.post(f"{API}/{open_conversation.id}/close")

    assert response.status_code == 200
    closed = response.get_json()
    assert (closed["conversationId"], closed["state"], closed["closeReason"], closed["messages"]) == (
        open_conversation.id,
        "CLOSE",
        "AGENT",
        1,
    )
    assert ISO_UTC.fullmatch(closed["closedAt"])
    stored = store.conversation(open_conversation.id)
    assert stored is not None and (stored.state, stored.close_reason) == ("CLOSE", "AGENT")
    assert [(c.id, c.state, c.close_reason) for c in follower.changes] == [
        (open_conversation.id, "CLOSE", "AGENT")
    ]
    assert follower.messages == []
    assert client.get(f"{API}/{open_conversation.id}").get_json()["state"] == "CLOSE"


def test_closing_a_closed_conversation_is_a_409_and_tells_no_one(client, store, app, open_conversation):
    assert client.post(f"{API}/{open_conversation.id}/close").status_code == 200
    follower = Recorder()
    app.extensions["hub"].follow_consumer(open_conversation.consumer_id, follower)
    before = snapshot(store)
    assert_error(client.post(f"{API}/{open_conversation.id}/close"), 409)
    assert snapshot(store) == before
    assert follower.changes == []


# -- same origin only ----------------------------------------------------------------------


def test_no_cors_header_is_sent_to_another_origin(client, open_conversation):
    hostile = {"Origin": FOREIGN}
    for response in (
        client.get(API, headers=hostile),
        client.get(f"{API}/{open_conversation.id}", headers=hostile),
        client.options(
            f"{API}/{open_conversation.id}/messages",
            headers={
                **hostile,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        ),
        client.post(f"{API}/{open_conversation.id}/messages", json={"text": "hi"}, headers=hostile),
        client.get("/agent", headers=hostile),
    ):
        sent = [name for name, _ in response.headers.items() if name.lower().startswith("access-control-")]
        assert not sent, (response.request.path, sent)


def test_another_origin_can_neither_reply_nor_close(client, store, open_conversation):
    before = snapshot(store)
    for path, body in (("/messages", {"text": "from a hostile page"}), ("/close", None)):
        response = client.post(f"{API}/{open_conversation.id}{path}", json=body, headers={"Origin": FOREIGN})
        assert_error(response, 403)
        response = client.post(f"{API}/{open_conversation.id}{path}", json=body, headers={"Origin": "null"})
        assert_error(response, 403)
    assert snapshot(store) == before
    # The workspace's own page sends its own origin, and is let through.
    own = client.post(
        f"{API}/{open_conversation.id}/messages", json={"text": "hi"}, headers={"Origin": "http://localhost"}
    )
    assert own.status_code == 201


def test_the_answers_are_never_cached(client, open_conversation):
    for path in (API, f"{API}/{open_conversation.id}", "/agent"):
        assert client.get(path).headers["Cache-Control"] == "no-store"


# -- the page ------------------------------------------------------------------------------


def test_the_workspace_page_loads_only_its_own_script_and_style(client):
    response = client.get("/agent")
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "default-src 'none'" in policy
    page = response.get_data(as_text=True)
    assert "<script>" not in page and "<style" not in page and not re.search(r"<[^>]*\son\w+=", page)
    assets = re.findall(r'(?:src|href)="(/agent/[^"]+)"', page)
    assert len(assets) == 3, assets  # the icon, the style sheet, the script
    for src in assets:
        asset = client.get(src)
        assert asset.status_code == 200, src
        asset.close()
