"""Consumer Delegation in an authenticated conversation, over real processes (the backend under
gunicorn, the stand-in): the brand's tokens kept with the consumer, sealed, never shown; the Get
Tokens API and the app token it needs, with every refusal; the refresh when the access token
expires, with the rotated refresh token kept; and the tokens gone when the conversation closes."""

from __future__ import annotations

import sqlite3
import time
from contextlib import AbstractContextManager, closing
from pathlib import Path

import jwt
import requests

from shared import contract
from shared.liveperson.delegation import sealing, sentinel
from shared.liveperson.private_files import rsa_key
from shared.liveperson.store import DATABASE_FILE
from shared.validation.masking import fingerprint
from tests.support import consumer, servers
from tests.support.delegation import (
    ACCESS_TOKEN_LIFETIME,
    APP_CLIENT_ID,
    CLIENT_ID,
    CLIENT_SECRET,
    SCOPE,
    TIMEOUT,
    Stack,
    app_token,
    authenticate,
    customer_code,
    customer_conversation,
    exchanges,
    get_tokens,
)
from tests.support.http_api import verify_id_token

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
SEALED = "SELECT sealed FROM consumer_delegations WHERE consumer_id = ?"


def sealed_tokens(instance: Path, consumer_id: str) -> dict[str, str] | None:
    """What the stand-in keeps for the consumer, opened with its key, as only it can."""
    with closing(sqlite3.connect(instance / DATABASE_FILE)) as db:
        row = db.execute(SEALED, (consumer_id,)).fetchone()
    return None if row is None else sealing.Sealer.in_folder(instance).open(row[0])


def stored_bytes(instance: Path) -> bytes:
    """The database as it is on disk, its write-ahead log included."""
    return b"".join(path.read_bytes() for path in instance.glob(DATABASE_FILE + "*"))


def orders_with(stack: Stack, access_token: str) -> requests.Response:
    headers = {"Authorization": f"Bearer {access_token}"}
    return requests.get(stack.orders_url, headers=headers, timeout=TIMEOUT)


def forged(stack: Stack, **claims: object) -> str:
    """An app token signed with the sentinel's own key, read from the stand-in's instance folder."""
    issued = int(time.time())
    payload = {"iss": sentinel.ISSUER, "aud": f"acc:{consumer.ACCOUNT}", "sub": APP_CLIENT_ID,
               "scope": contract.DELEGATED_TOKEN_SCOPE, "iat": issued, "exp": issued + 60, **claims}
    return jwt.encode(payload, rsa_key(stack.instance / sentinel.KEY_FILE), algorithm="RS256")


def test_delegated_tokens_are_kept_sealed_renewed_on_expiry_and_gone_at_close(stack: Stack) -> None:
    # The customer logs in and consents; LivePerson redeems the code: a customer, with tokens.
    socket, conversation, consumer_id = customer_conversation(stack)

    # The Get Tokens API answers the brand's own tokens: its API and its keys accept them.
    answer = get_tokens(stack, consumer_id)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Cache-Control"] == "no-store"
    first = answer.json()
    assert set(first) == {"accessToken", "idToken"}
    assert orders_with(stack, first["accessToken"]).status_code == 200
    _, claims = verify_id_token(stack.backend.url, first["idToken"])
    assert claims["aud"] == CLIENT_ID

    # Kept sealed: none of the three tokens is anywhere on disk, nor in any record or log.
    kept = sealed_tokens(stack.instance, consumer_id)
    assert kept is not None and kept["access_token"] == first["accessToken"] and kept["refresh_token"]
    on_disk = stored_bytes(stack.instance)
    records = requests.get(stack.standin.url + "/api/exchanges", timeout=TIMEOUT).text
    inspector = requests.get(stack.standin.url + "/inspector", timeout=TIMEOUT)
    assert inspector.status_code == 200
    inspector_text = inspector.text
    log = (stack.instance.parent / "standin.log").read_text()
    for secret in kept.values():
        assert secret.encode() not in on_disk
        for shown in (records, inspector_text, log):
            assert secret not in shown
    assert (stack.instance / sealing.KEY_FILE).stat().st_mode & 0o777 == 0o600
    # The code exchange's record shows that a refresh token came, masked.
    answered = next(e for e in exchanges(stack.standin) if e["flow"] == "code")["http"][0]["body"]
    assert answered["refresh_token"] == fingerprint(kept["refresh_token"])
    assert answered["scope"] == SCOPE

    # Before expiry, the same tokens; after it, renewed at the brand, the refresh token rotated.
    assert get_tokens(stack, consumer_id).json() == first
    time.sleep(ACCESS_TOKEN_LIFETIME + 0.5)
    renewed = get_tokens(stack, consumer_id).json()
    assert renewed["accessToken"] != first["accessToken"]
    assert renewed["idToken"] == first["idToken"]  # a refresh renews access, not the identity
    assert orders_with(stack, renewed["accessToken"]).status_code == 200
    rotated = sealed_tokens(stack.instance, consumer_id)
    assert rotated is not None and rotated["refresh_token"] != kept["refresh_token"]
    refresh = exchanges(stack.standin)[0]
    assert (refresh["flow"], refresh["failure"]) == ("refresh", None)
    sent = refresh["http"][0]
    assert sent["form"] == {
        "grant_type": "refresh_token", "refresh_token": fingerprint(kept["refresh_token"])}
    assert sent["headers"]["Authorization"] == "Basic ***"  # as the code exchange authenticated
    assert sent["body"]["refresh_token"] == fingerprint(rotated["refresh_token"])
    shown = requests.get(stack.standin.url + "/inspector", timeout=TIMEOUT).text
    assert f"#{refresh['id']} · refresh flow via delegation" in shown
    assert "access token granted for openid" in shown and rotated["refresh_token"] not in shown

    # The conversation closes: the tokens go with it.
    closed = socket.request("cm.UpdateConversationField", {
        "conversationId": conversation,
        "conversationField": [{"field": "ConversationStateField", "conversationState": "CLOSE"}],
    })
    assert closed["code"] == 200, closed
    gone = get_tokens(stack, consumer_id)
    assert gone.status_code == 404
    assert gone.json()["error"] == "Tokens not found"
    assert sealed_tokens(stack.instance, consumer_id) is None


def test_a_code_without_delegation_leaves_nothing_to_get(stack: Stack) -> None:
    """A code for the identity only: the customer is authenticated, and no refresh token came."""
    token = authenticate(stack.standin, customer_code(stack.backend, scope="openid"))
    refused = get_tokens(stack, consumer.claims(token)["sub"])
    assert refused.status_code == 404
    assert refused.json()["check"] == "tokens"
    guest = consumer.claims(consumer.signup(stack.standin))["sub"]
    assert get_tokens(stack, guest).status_code == 404


# -- the app token -----------------------------------------------------------------------------


def test_the_app_token_is_granted_the_get_tokens_scope(stack: Stack) -> None:
    answer = app_token(stack)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == sentinel.LIFETIME
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["scope"] == contract.DELEGATED_TOKEN_SCOPE and claims["sub"] == APP_CLIENT_ID


def test_the_app_token_endpoint_refuses_as_a_token_endpoint_does(stack: Stack) -> None:
    url = stack.app_token_url
    cases = [
        (app_token(stack, client_secret="wrong"), 401, "invalid_client"),
        (app_token(stack, client_id="someone-else"), 401, "invalid_client"),
        (app_token(stack, grant_type="password"), 400, "unsupported_grant_type"),
        (requests.post(url, json={"client_id": APP_CLIENT_ID}, timeout=TIMEOUT), 400, "invalid_request"),
        (requests.post(url, data="grant_type=x&grant_type=x", headers=FORM, timeout=TIMEOUT),
         400, "invalid_request"),
        (requests.post(url, data=b"a=" + b"x" * 5000, headers=FORM, timeout=TIMEOUT), 413, "invalid_request"),
        (requests.post(url, data=b"client_id=\xff", headers=FORM, timeout=TIMEOUT), 400, "invalid_request"),
        (requests.post(url.replace(consumer.ACCOUNT, "87654321"), timeout=TIMEOUT), 404, "invalid_request"),
    ]
    for answer, status, error in cases:
        assert (answer.status_code, answer.json()["error"]) == (status, error), answer.text
        assert answer.json()["error_description"]


# -- the Get Tokens API's refusals -------------------------------------------------------------


def test_get_tokens_refuses_without_a_valid_app_token_with_the_scope(stack: Stack) -> None:
    customer = consumer.claims(authenticate(stack.standin, customer_code(stack.backend)))["sub"]
    url = stack.tokens_url.format(customer)
    no_header = requests.get(url, timeout=TIMEOUT)
    assert no_header.status_code == 401
    assert no_header.headers["WWW-Authenticate"] == 'Bearer realm="liveperson"'
    assert no_header.json()["check"] == "app-token"
    assert requests.get(url, headers={"Authorization": "Basic YTpi"}, timeout=TIMEOUT).status_code == 401
    not_app_tokens = (
        "garbage",
        jwt.encode({"scope": contract.DELEGATED_TOKEN_SCOPE}, "a key of no one's, of 32 bytes or more",
                   algorithm="HS256"),
        consumer.signup(stack.standin),  # the stand-in signed it, but for a consumer
        forged(stack, exp=int(time.time()) - 60),
        forged(stack, aud="acc:87654321"),
    )
    for bearer in not_app_tokens:
        refused = get_tokens(stack, customer, bearer=bearer)
        assert refused.status_code == 401, (bearer, refused.text)
        assert 'error="invalid_token"' in refused.headers["WWW-Authenticate"]
    # An app token of the account, installed for another API: forbidden.
    other_api = get_tokens(stack, customer, bearer=forged(stack, scope="msg.users.read"))
    assert other_api.status_code == 403
    assert other_api.json()["error"] == "Forbidden"
    assert f'scope="{contract.DELEGATED_TOKEN_SCOPE}"' in other_api.headers["WWW-Authenticate"]
    assert get_tokens(stack, customer, bearer=forged(stack)).status_code == 200


def test_get_tokens_refuses_bad_consumer_ids_and_unknown_accounts_without_a_500(stack: Stack) -> None:
    bearer = app_token(stack).json()["access_token"]
    for consumer_id, status in (("a" * 65, 400), ("abc$", 400), ("%00", 400), ("é", 400),
                                ("0" * 64, 404), ("00000000-0000-0000-0000-000000000000", 404)):
        answer = get_tokens(stack, consumer_id, bearer=bearer)
        assert answer.status_code == status, (consumer_id, answer.text)
        assert set(answer.json()) == {"internalErrorCode", "error", "message", "check"}
    elsewhere = requests.get(stack.tokens_url.format("0" * 64).replace(consumer.ACCOUNT, "87654321"),
                             headers={"Authorization": f"Bearer {bearer}"}, timeout=TIMEOUT)
    assert elsewhere.status_code == 404
    assert elsewhere.json()["error"] == "Unknown account"


def test_get_tokens_and_the_app_token_are_not_for_web_pages(stack: Stack) -> None:
    """Unlike the IdP's signup and authenticate, no other origin may read them."""
    origin = {"Origin": "http://evil.example"}
    preflight = {**origin, "Access-Control-Request-Method": "GET",
                 "Access-Control-Request-Headers": "authorization"}
    for url in (stack.tokens_url.format("0" * 64), stack.app_token_url):
        for method, headers in (("GET", origin), ("POST", origin), ("OPTIONS", preflight)):
            answer = requests.request(method, url, headers=headers, timeout=TIMEOUT)
            assert "Access-Control-Allow-Origin" not in answer.headers, (method, url)


def test_tokens_outlive_a_restart_and_wait_out_a_brand_that_does_not_answer(
        stack: Stack, tmp_path: Path) -> None:
    port = servers.free_port()
    app_secret = ("--app-client-secret-file", str(stack.instance.parent / "app-secret"))

    def restarted(*options: str) -> AbstractContextManager[servers.LiveServer]:
        return servers.standin(tmp_path, stack.backend.url, *app_secret, *options, client_id=CLIENT_ID,
                               client_secret=CLIENT_SECRET, port=port)

    with restarted() as standin:
        consumer_id = consumer.claims(authenticate(standin, customer_code(stack.backend)))["sub"]
        here = Stack(stack.backend, standin, stack.web, tmp_path / "standin")
        first = get_tokens(here, consumer_id).json()
    time.sleep(ACCESS_TOKEN_LIFETIME + 0.5)
    # The refresh is due, and the brand's token endpoint is not there: 502, the tokens kept.
    with restarted("--token-endpoint", f"http://127.0.0.1:{servers.free_port()}/token"):
        unavailable = get_tokens(here, consumer_id)
        assert unavailable.status_code == 502, unavailable.text
        body = unavailable.json()
        assert (body["internalErrorCode"], body["check"]) == ("9013", "token-refresh")
    with restarted():
        renewed = get_tokens(here, consumer_id)
        assert renewed.status_code == 200, renewed.text
        assert renewed.json()["accessToken"] != first["accessToken"]
        assert orders_with(here, renewed.json()["accessToken"]).status_code == 200
