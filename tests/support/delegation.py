"""Consumer Delegation over real processes on loopback: the backend (delegated `orders.read`,
refresh tokens, consent, revocation, the demo orders API) under gunicorn, the LivePerson
stand-in with its bot, and the brand's website, started once for the tests that need them; and
the steps each side takes, as it takes them: the customer logs in and consents at the backend,
LivePerson redeems the code, the app installation asks for the tokens, the bot answers.

The stand-in is registered with the backend as a client of its own (`CLIENT_ID`, with the
verification link's redirect URI), so these tests need nothing of seed-demo's but the demo
customer and their orders.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import requests

from shared import contract
from tests.support import consumer, servers
from tests.support.http_api import hidden_field, html_login
from tests.support.servers import LiveServer

CLIENT_ID = "liveperson-delegation"
CLIENT_SECRET = "delegation-client-secret"
APP_CLIENT_ID = "liveperson-app"
APP_SECRET = "app-installation-secret"
REDIRECT_URI = contract.DEFAULT_REDIRECT_URI  # where LivePerson's embedded window gets its code
SCOPE = "openid profile email phone orders.read"  # the identity, as LivePerson's window asks, and delegation
ACCESS_TOKEN_LIFETIME = 4  # seconds: a refresh is due within a test
DEMO_ORDERS = ("A-1024", "A-1017", "A-1001")  # seed-demo's, newest first
TIMEOUT = 15
WAIT = 20  # seconds for the bot's answer, at most

T = TypeVar("T")


@dataclass(frozen=True)
class Stack:
    backend: LiveServer
    standin: LiveServer
    web: LiveServer  # the brand's website, embedding the stand-in's tag
    instance: Path  # the stand-in's instance folder: its database and keys

    @property
    def tokens_url(self) -> str:
        return f"{self.standin.url}/api/account/{consumer.ACCOUNT}/consumer/{{}}/brand/tokens"

    @property
    def app_token_url(self) -> str:
        return f"{self.standin.url}/sentinel/api/v2/account/{consumer.ACCOUNT}/app/token"

    @property
    def orders_url(self) -> str:
        return self.backend.url + "/api/v1/orders"


def callback_uri(standin_url: str) -> str:
    return standin_url + contract.DELEGATION_CALLBACK_PATH.format(account=consumer.ACCOUNT)


@contextmanager
def stack(folder: Path, *standin_options: str) -> Iterator[Stack]:
    standin_port, web_port = servers.free_port(), servers.free_port()
    standin_url = f"http://127.0.0.1:{standin_port}"
    (folder / "client-secret").write_text(CLIENT_SECRET)
    (folder / "app-secret").write_text(APP_SECRET + "\n")  # the file's newline is not the secret's
    register = [
        "create-client", "--client-id", CLIENT_ID, "--secret-file", str(folder / "client-secret"),
        "--redirect-uri", REDIRECT_URI, "--redirect-uri", callback_uri(standin_url),
        "--delegation-scope", "orders.read", "--name", "LivePerson",
    ]
    with ExitStack() as running:
        backend = running.enter_context(servers.backend(
            folder, commands=[register], ACCESS_TOKEN_LIFETIME=str(ACCESS_TOKEN_LIFETIME),
            CORS_ORIGINS=f"http://127.0.0.1:{web_port}"))
        standin = running.enter_context(servers.standin(
            folder, backend.url, "--bot", "--app-client-secret-file", str(folder / "app-secret"),
            *standin_options, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, port=standin_port))
        web = running.enter_context(servers.web_client(folder, backend.url, standin.url, port=web_port))
        yield Stack(backend, standin, web, folder / "standin")


# -- the customer, at the brand -------------------------------------------------------------


def customer_browser(backend: LiveServer) -> requests.Session:
    """A browser in which the demo customer is logged in at the backend."""
    browser = requests.Session()
    answer = html_login(browser, backend.url + "/login")
    assert answer.status_code in (302, 303), answer.text
    return browser


def customer_code(
    backend: LiveServer, browser: requests.Session | None = None, scope: str = SCOPE,
    client_id: str = CLIENT_ID,
) -> str:
    """A code for the stand-in's client (or `client_id`), by default with the delegated scope,
    the customer consenting if asked, as LivePerson's embedded window receives it."""
    browser = browser or customer_browser(backend)
    query = {"client_id": client_id, "response_type": "code", "redirect_uri": REDIRECT_URI,
             "scope": scope, "state": "embedded"}
    answer = browser.get(backend.url + "/oauth2/v3/authorize", params=query, allow_redirects=False,
                         timeout=TIMEOUT)
    if answer.status_code == 200:  # the consent page
        answer = browser.post(backend.url + "/consent", allow_redirects=False, timeout=TIMEOUT, data={
            "csrf_token": hidden_field(answer.text, "csrf_token"),
            "authorization_request": hidden_field(answer.text, "authorization_request"),
            "decision": "allow",
        })
    assert answer.status_code in (302, 303), answer.text
    return parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]


def revoke_access(backend: LiveServer, browser: requests.Session) -> None:
    """The customer presses "Revoke" for LivePerson on their account page."""
    page = browser.get(backend.url + "/", timeout=TIMEOUT)
    answer = browser.post(backend.url + "/access/revoke", allow_redirects=False, timeout=TIMEOUT, data={
        "csrf_token": hidden_field(page.text, "csrf_token"), "client_id": CLIENT_ID})
    assert answer.status_code == 303, answer.text


# -- LivePerson ------------------------------------------------------------------------------


def authenticate(standin: LiveServer, code: str) -> str:
    """LivePerson's IdP redeems the code; the consumer token."""
    answer = consumer.idp(standin, "authenticate", authCode=code, redirect_uri=REDIRECT_URI)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["jwt"])


def app_token(stack: Stack, **form: str) -> requests.Response:
    """The app installation asks for its token (client credentials), `form` changing what it sends."""
    data = {"client_id": APP_CLIENT_ID, "client_secret": APP_SECRET, "grant_type": "client_credentials",
            **form}
    return requests.post(stack.app_token_url, data=data, timeout=TIMEOUT)


def get_tokens(stack: Stack, consumer_id: str, bearer: str | None = None) -> requests.Response:
    """The Get Tokens API, with a fresh app token unless `bearer` is given."""
    if bearer is None:
        answer = app_token(stack)
        assert answer.status_code == 200, answer.text
        bearer = answer.json()["access_token"]
    return requests.get(stack.tokens_url.format(consumer_id), headers={"Authorization": f"Bearer {bearer}"},
                        timeout=TIMEOUT)


def exchanges(standin: LiveServer) -> list[dict[str, Any]]:
    answer = requests.get(standin.url + "/api/exchanges", timeout=TIMEOUT)
    answer.raise_for_status()
    return list(answer.json()["exchanges"])


def customer_conversation(
    stack: Stack, browser: requests.Session | None = None
) -> tuple[consumer.Socket, str, str]:
    """The demo customer, authenticated with delegation, in a new conversation whose messages the
    socket follows: the socket, the conversation's id, the consumer's id. Every test has the same
    customer, who may have one conversation open: any left open is closed first, as an agent
    would (before the code: closing deletes the consumer's tokens)."""
    for listed in consumer.agent_get(stack.standin)["conversations"]:
        if listed["state"] == "OPEN" and listed["authenticated"]:
            consumer.agent_post(stack.standin, f"/{listed['conversationId']}/close")
    token = authenticate(stack.standin, customer_code(stack.backend, browser))
    socket = consumer.connect(stack.standin, token)
    conversation = socket.open_conversation()
    subscribed = socket.request("ms.SubscribeMessagingEvents", {"dialogId": conversation, "fromSeq": 0})
    assert subscribed["code"] == 200, subscribed
    return socket, conversation, consumer.claims(token)["sub"]


def guest_conversation(stack: Stack) -> tuple[consumer.Socket, str]:
    """A new visitor in a new conversation whose messages the socket follows."""
    socket = consumer.connect(stack.standin, consumer.signup(stack.standin))
    conversation = socket.open_conversation()
    subscribed = socket.request("ms.SubscribeMessagingEvents", {"dialogId": conversation, "fromSeq": 0})
    assert subscribed["code"] == 200, subscribed
    return socket, conversation


def ask(socket: consumer.Socket, conversation_id: str, text: str) -> int:
    """The consumer writes; the message's sequence number."""
    answer = socket.send_text(conversation_id, text)
    assert answer["code"] == 200, answer
    return int(answer["body"]["sequence"])


# -- the bot ---------------------------------------------------------------------------------


def eventually(find: Callable[[], T | None], what: str) -> T:
    """`find()`'s first answer that is not None, within WAIT seconds."""
    deadline = time.monotonic() + WAIT
    while True:
        found = find()
        if found is not None:
            return found
        assert time.monotonic() < deadline, f"no {what} within {WAIT} s"
        time.sleep(0.1)


def bot_says(standin: LiveServer, conversation_id: str, after: int, contains: str = "") -> dict[str, Any]:
    """The bot's first message after sequence `after` (containing `contains`), as the agent sees it."""
    def find() -> dict[str, Any] | None:
        messages = consumer.agent_get(standin, f"/{conversation_id}")["messages"]
        return next((m for m in messages if m["sequence"] > after and m["from"] == "bot"
                     and contains in m["text"]), None)
    return eventually(find, f"bot message with {contains!r}")


def link_in(text: str) -> str:
    """The verification link in the bot's message."""
    return next(word for word in text.split() if word.startswith("http"))
