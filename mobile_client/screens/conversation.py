"""The conversation screen: the stub SDK's view. Connection state, the authenticated customer id
(or why authentication failed, with a retry), and what LivePerson sent back."""

from __future__ import annotations

import time

from kivy.app import App
from kivy.properties import BooleanProperty, ListProperty, StringProperty
from kivy.uix.screenmanager import Screen

from shared.messaging_sdk import Conversation


class ConversationScreen(Screen):
    state = StringProperty("Not connected")  # connecting / connected / failed
    status = StringProperty("")  # what `conversation_status` shows
    failed = BooleanProperty(False)
    connecting = BooleanProperty(False)
    messages = ListProperty([])  # lines from LivePerson, newest last

    # ConversationView, called by mobile_client.messaging on the UI thread.

    def show_connecting(self, text: str) -> None:
        self.state, self.status, self.failed, self.connecting = "Connecting", text, False, True

    def show_authenticated(self, conversation: Conversation, renewed: bool) -> None:
        self.state, self.failed, self.connecting = "Connected", False, False
        if conversation.authenticated:
            self.status = f"Authenticated as customer {conversation.sub} ({conversation.flow} flow)"
        else:
            self.status = "Unauthenticated conversation"
        if renewed:
            self.status += " - reconnected after the token expired"
        expires = (
            time.strftime("%H:%M:%S", time.localtime(conversation.expires_at))
            if conversation.expires_at
            else "never"
        )
        name = conversation.claims.get("name") or conversation.claims.get("email") or conversation.sub
        self.messages = [
            *self.messages[-6:],
            f"LivePerson: conversation {conversation.conversation_id} {'renewed' if renewed else 'opened'}"
            f" for {name}; the token expires at {expires}.",
        ]

    def show_failure(self, reason: str) -> None:
        self.state, self.status, self.failed, self.connecting = "Failed", reason, True, False

    # Buttons

    def retry(self) -> None:
        App.get_running_app().messaging.retry()

    def leave(self) -> None:
        app = App.get_running_app()
        app.messaging.end()
        self.state, self.status, self.failed, self.connecting, self.messages = (
            "Not connected",
            "",
            False,
            False,
            [],
        )
        app.show("home")
