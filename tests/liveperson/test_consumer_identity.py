"""LivePerson's IdP in the stand-in, against the real backend: the consumer token that signup
and authenticate answer with, the same consumer at every authentication of a customer,
extending an unauthenticated identity, and step-up keeping the conversation and its history."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from shared.liveperson.idp.consumer_token import ConsumerTokens, Identity
from tests.liveperson.test_standin import app_login, code_for, customer_id, jwt_for
from tests.support import servers
from tests.support.consumer import ACCOUNT, agent_get, claims, connect, idp, signup
from tests.support.servers import LiveServer


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("identity_standin")


@pytest.fixture(scope="module")
def standin(live_backend: LiveServer, folder: Path) -> Iterator[LiveServer]:
    with servers.standin(folder, live_backend.url, "--unauthenticated-lifetime", "2") as server:
        yield server


def authenticated_token(backend: LiveServer, standin: LiveServer, token: str | None = None) -> str:
    issued = code_for(backend, app_login(backend))
    answer = idp(standin, "authenticate", token, authCode=issued["code"], redirect_uri=issued["redirect_uri"])
    assert answer.status_code == 200, answer.text
    assert list(answer.json()) == ["jwt"]  # LivePerson's answer: the consumer token, nothing else
    return str(answer.json()["jwt"])


def test_signup_answers_an_unauthenticated_consumer_token(standin):
    token = signup(standin)
    payload = claims(token)
    assert payload["aud"] == f"acc:{ACCOUNT}"
    assert "lp.ext" not in payload
    assert payload["exp"] - time.time() == pytest.approx(2, abs=2)
    assert claims(signup(standin))["sub"] != payload["sub"]  # each signup is a new visitor


def test_authenticate_names_the_brands_customer_and_expires_with_the_id_token(live_backend, standin):
    session = app_login(live_backend)
    id_token = jwt_for(live_backend, session)
    answer = idp(standin, "authenticate", authCode=id_token)  # a JWT goes in authCode too
    assert answer.status_code == 200, answer.text
    payload = claims(answer.json()["jwt"])
    assert payload["lp.ext"] == {"iss": live_backend.url, "sub": customer_id(live_backend, session)}
    assert payload["exp"] == claims(id_token)["exp"]
    # The code flow: the same customer is the same consumer.
    assert claims(authenticated_token(live_backend, standin))["sub"] == payload["sub"]


def test_an_expired_unauthenticated_identity_is_extended_not_replaced(standin):
    token = signup(standin)
    time.sleep(2.2)
    extended = signup(standin, token)
    assert claims(extended)["sub"] == claims(token)["sub"]
    assert claims(extended)["exp"] > time.time()


def test_an_identity_expired_beyond_the_window_is_not_extended(standin, folder):
    """2001 thirty days after expiry. The stand-in's own key (in its instance folder) signs a
    visitor token that expired 31 days ago, as one kept that long would be."""
    visitor = claims(signup(standin))["sub"]
    month_ago = int(time.time()) - 31 * 24 * 3600
    tokens = ConsumerTokens.in_folder(folder / "standin", ACCOUNT)
    stale = tokens.issue(Identity(visitor, None, month_ago))
    refused = idp(standin, "signup", stale)
    assert refused.status_code == 401
    assert (refused.json()["internalErrorCode"], refused.json()["check"]) == ("2001", "consumer-token")
    recent = tokens.issue(Identity(visitor, None, month_ago + 2 * 24 * 3600))  # 29 days ago
    assert claims(signup(standin, recent))["sub"] == visitor


def test_signup_refuses_to_extend_an_authenticated_or_foreign_token(live_backend, standin):
    authenticated = idp(standin, "signup", authenticated_token(live_backend, standin))
    assert authenticated.status_code == 400
    assert authenticated.json()["internalErrorCode"] == "9015"
    forged = idp(standin, "signup", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln")
    assert forged.status_code == 401
    assert forged.json()["internalErrorCode"] == "9008"
    assert forged.json()["check"] == "consumer-token"


def test_step_up_keeps_the_conversation_and_its_history(live_backend, standin):
    visitor = signup(standin)
    socket = connect(standin, visitor)
    conversation = socket.open_conversation()
    assert socket.send_text(conversation, "Hi, I am not logged in yet")["code"] == 200
    watching = socket.request("cqm.SubscribeExConversations", {"convState": ["OPEN"]})
    assert watching["code"] == 200
    socket.notification("cqm.ExConversationChangeNotification")  # the conversation as it was

    customer = authenticated_token(live_backend, standin, token=visitor)

    left = socket.notification("cqm.ExConversationChangeNotification")["body"]["changes"]
    assert left == [{"type": "DELETE", "result": {"convId": conversation}}]  # the visitor no longer sees it
    after = connect(standin, customer)
    after.request("cqm.SubscribeExConversations", {"convState": ["OPEN"]})
    listed = after.notification("cqm.ExConversationChangeNotification")["body"]["changes"]
    assert [change["result"]["convId"] for change in listed] == [conversation]
    after.request("ms.SubscribeMessagingEvents", {"dialogId": conversation, "fromSeq": 0})
    history = after.notification("ms.MessagingEventNotification")["body"]["changes"]
    assert [change["event"]["message"] for change in history] == ["Hi, I am not logged in yet"]
    shown = agent_get(standin, f"/{conversation}")
    assert shown["authenticated"] is True
    assert shown["steppedUp"] is True


def test_a_failed_step_up_spends_no_code(live_backend, standin):
    issued = code_for(live_backend, app_login(live_backend))
    for token, status in (("not-a-token", 401), (authenticated_token(live_backend, standin), 400)):
        refused = idp(
            standin, "authenticate", token, authCode=issued["code"], redirect_uri=issued["redirect_uri"]
        )
        assert refused.status_code == status
        assert refused.json()["check"] == "step-up"
    kept = idp(standin, "authenticate", authCode=issued["code"], redirect_uri=issued["redirect_uri"])
    assert kept.status_code == 200, kept.text


def test_unauthenticated_messaging_can_be_turned_off(live_backend, tmp_path):
    with servers.standin(tmp_path, live_backend.url, "--no-unauthenticated-messaging") as standin:
        refused = idp(standin, "signup")
        assert refused.status_code == 403
        assert refused.json()["internalErrorCode"] == "9015"
        assert refused.json()["check"] == "unauthenticated-messaging"
        assert authenticated_token(live_backend, standin)  # customers the brand vouches for still may


def test_an_unknown_account_is_refused(standin):
    refused = requests.post(f"{standin.url}/api/account/999/signup", timeout=15)
    assert refused.status_code == 404
    assert refused.json()["error"] == "Unknown account"
    assert ACCOUNT in refused.json()["message"]
