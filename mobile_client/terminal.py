"""`python -m mobile_client.terminal`: the brand's app without its screens, to hold a
conversation with the stand-in's agent workspace from a terminal. The same parts as the Kivy
app: the backend's app API (`backend_api.py`) and the Messaging SDK core, so what it shows is
what the app does, and it needs no Kivy.

    .venv/bin/python -m mobile_client.terminal               # as the demo customer, code flow
    .venv/bin/python -m mobile_client.terminal --visitor     # unauthenticated; /login steps up

Type a line to send it. `/login` (a visitor) logs in and steps up: the same conversation goes on
as the customer's. `/close` closes the conversation; Ctrl-D leaves it open and quits.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from datetime import datetime

from mobile_client.backend_api import BackendApi, BackendError
from shared import contract
from shared.messaging_sdk import (
    AuthenticationError,
    AuthenticationParams,
    Conversation,
    Message,
    MessagingClient,
    MessagingListener,
    RequestError,
)
from shared.validation import secret_input

DEMO_EMAIL = "demo@example.com"
PASSWORD_VARIABLE = "BRAND_PASSWORD"  # noqa: S105 (the variable's name, not a password)


class Customer:
    """The host app's side: a login at the brand's backend, and fresh authentication from it
    whenever the SDK asks (at the start, after 4401, for step-up)."""

    def __init__(self, api: BackendApi, email: str, password_file: str | None, flow: str, pkce: bool) -> None:
        self.api, self.email, self.password_file, self.flow, self.pkce = api, email, password_file, flow, pkce
        self.session_token: str | None = None

    def log_in(self) -> None:
        password = secret_input.resolve(
            value=None, file=self.password_file, environ=os.environ, variable=PASSWORD_VARIABLE,
            ask=secret_input.terminal_prompt(), prompt=f"Password of {self.email}: ",
        )
        if password is None:
            raise BackendError(f"No password: type it at the prompt, or set {PASSWORD_VARIABLE} "
                               "or --password-file.")
        self.session_token = self.api.log_in(self.email, password).session_token

    def authentication(self, step_up: bool = False) -> AuthenticationParams:
        assert self.session_token is not None, "log in first"
        return self.api.sdk_authentication(self.session_token, self.flow, self.pkce, step_up)


class Printer(MessagingListener):
    """Everything the SDK reports, one line each; a fresh code or JWT after 4401."""

    def __init__(self, customer: Customer) -> None:
        self.customer = customer
        self.client: MessagingClient | None = None
        self.ended = threading.Event()

    def on_conversation_started(self, conversation: Conversation) -> None:
        _say(_where(conversation))

    def on_message_received(self, message: Message) -> None:
        at = datetime.fromtimestamp(message.server_timestamp / 1000).strftime("%H:%M")
        _say(f"[{at}] {'you' if message.from_consumer else 'agent'}: {message.text}")

    def on_conversation_resolved(self, conversation: Conversation) -> None:
        _say(f"The conversation was closed ({conversation.close_reason or 'closed'}).")
        self.ended.set()

    def on_token_expired(self) -> None:
        _say("The token expired; asking the backend for a fresh one.")
        if self.client is not None and self.customer.session_token is not None:
            self.client.reconnect(self.customer.authentication())

    def on_authentication_failed(self, error: AuthenticationError) -> None:
        _say(f"LivePerson refused: {error.reason}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mobile_client.terminal", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend-url", default="http://127.0.0.1:8000")
    parser.add_argument("--liveperson-url", default="http://127.0.0.1:8002")
    parser.add_argument("--account", default=contract.STANDIN_ACCOUNT)
    parser.add_argument("--email", default=DEMO_EMAIL)
    parser.add_argument("--password-file", help=f"else {PASSWORD_VARIABLE}, else a hidden prompt")
    parser.add_argument("--flow", choices=("code", "implicit"), default="code")
    parser.add_argument("--pkce", action="store_true", help="the code flow with the SDK's PKCE parameters")
    parser.add_argument("--visitor", action="store_true", help="start unauthenticated; /login steps up")
    options = parser.parse_args(argv)

    api = BackendApi(options.backend_url)
    customer = Customer(api, options.email, options.password_file, options.flow, options.pkce)
    printer = Printer(customer)
    client = MessagingClient(options.liveperson_url, options.account, listener=printer)
    printer.client = client
    try:
        if not options.visitor:
            customer.log_in()
        start = AuthenticationParams.unauthenticated() if options.visitor else customer.authentication()
        if client.start_conversation(start) is None:
            return 1
        _say("Type a message and Enter. /close closes the conversation, Ctrl-D quits.")
        for line in sys.stdin:
            if printer.ended.is_set():
                break
            text = line.strip()
            if text == "/close":
                client.close_conversation()
                break
            if text == "/login" and customer.session_token is None:
                customer.log_in()
                # Step-up: the same conversation goes on, so the SDK does not start it again.
                stepped_up = client.reconnect(customer.authentication(step_up=True))
                if stepped_up is not None:
                    _say(_where(stepped_up))
            elif text:
                client.send_text(text)
    except (BackendError, RequestError) as error:
        _say(str(error))
        return 1
    except KeyboardInterrupt:
        pass
    finally:
        client.logout()
    return 0


def _where(conversation: Conversation) -> str:
    who = "an unauthenticated visitor"
    if conversation.authenticated:
        who = f"customer {conversation.customer_id}"
    return f"In conversation {conversation.conversation_id} as {who}."


def _say(line: str) -> None:
    print(line, flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
