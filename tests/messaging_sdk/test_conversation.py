"""Conversations started with the authentication supplied up front, against the real backend and
a real stand-in on loopback: the customer LivePerson sees is the one logged in at the brand."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading

from shared.messaging_sdk import AuthenticationParams, AuthType, MessagingClient
from tests.messaging_sdk.host_app import ACCOUNT, DemoApp, ManualScheduler, Recorder, conversations
from tests.support import servers


def client_for(standin, recorder, **options) -> MessagingClient:
    return MessagingClient(standin.url, ACCOUNT, listener=recorder, schedule=ManualScheduler(), **options)


def test_code_flow_starts_a_conversation_for_the_logged_in_customer(live_backend, standin):
    app, recorder = DemoApp(live_backend), Recorder()
    client = client_for(standin, recorder)

    conversation = client.start_conversation(app.code_params())

    assert conversation is not None, recorder.events
    assert conversation.sub == app.customer_id()
    assert (conversation.type, conversation.flow, conversation.authenticated) == (AuthType.AUTH, "code", True)
    assert conversation.sdes["customerInfo"]["ctype"] == "vip"
    assert conversation.claims["sub"] == conversation.sub
    assert recorder.events == [("started", conversation)]
    assert recorder.threads == [threading.current_thread()]
    assert client.conversation == conversation
    listed = {c["conversation_id"]: c for c in conversations(standin)}
    assert listed[conversation.conversation_id]["channel"] == "mobile"
    assert listed[conversation.conversation_id]["flow"] == "code"
    assert listed[conversation.conversation_id]["sub"] == conversation.sub


def test_implicit_flow_starts_a_conversation_for_the_logged_in_customer(live_backend, standin):
    app, recorder = DemoApp(live_backend), Recorder()

    conversation = client_for(standin, recorder).start_conversation(app.jwt_params())

    assert conversation is not None, recorder.events
    assert (conversation.sub, conversation.flow) == (app.customer_id(), "implicit")
    assert recorder.named("started") == [conversation]
    listed = {c["conversation_id"]: c for c in conversations(standin)}
    assert (listed[conversation.conversation_id]["channel"], listed[conversation.conversation_id]["sub"]) == (
        "mobile",
        conversation.sub,
    )


def test_code_flow_with_pkce_sends_the_code_verifier(live_backend, tmp_path):
    app, recorder = DemoApp(live_backend), Recorder()
    verifier = secrets.token_urlsafe(64)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    with servers.standin(tmp_path, live_backend.url, "--pkce") as pkce_standin:
        issued = app.code(code_challenge=challenge, code_challenge_method="S256")
        params = AuthenticationParams.code(issued["code"], issued["redirect_uri"], verifier)
        conversation = client_for(pkce_standin, recorder).start_conversation(params)
    assert conversation is not None, recorder.events
    assert conversation.sub == app.customer_id()


def test_the_account_is_part_of_the_path(live_backend, standin):
    recorder = Recorder()
    client = MessagingClient(standin.url, "99999", listener=recorder, schedule=ManualScheduler())

    assert client.start_conversation(DemoApp(live_backend).jwt_params()) is None

    error = recorder.failure()
    assert (error.status, error.error) == (404, "Unknown account")
    assert "12345678" in error.message


def test_an_unauthenticated_conversation_is_local_and_has_no_customer_id():
    recorder = Recorder()
    # Nothing listens on this port: an UN_AUTH conversation does not ask LivePerson.
    client = MessagingClient(f"http://127.0.0.1:{servers.free_port()}", ACCOUNT, listener=recorder)

    conversation = client.start_conversation(AuthenticationParams.unauthenticated())

    assert conversation is not None, recorder.events
    assert (conversation.type, conversation.authenticated, conversation.sub) == (
        AuthType.UN_AUTH,
        False,
        None,
    )
    assert conversation.conversation_id.startswith("local-")
    assert conversation.expires_at is None
    assert recorder.events == [("started", conversation)]
    assert client.check_expiry() is False
