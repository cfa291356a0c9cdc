"""The conversation screen: the connection state, who LivePerson knows the customer as (the
brand's customer id from the consumer token, or why authentication failed, with a retry), the
messages both ways, and a text box to send one. The full chat view comes later; this one is
the minimum to hold a real conversation."""

from __future__ import annotations

import time

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.screenmanager import Screen
from kivy.utils import escape_markup

from shared.messaging_sdk import Conversation, Message

CLOSED_BY = {"AGENT": "the agent", "CONSUMER": "you", "SYSTEM": "LivePerson"}
# Who wrote a line, coloured apart (Kivy markup); the chat view of the next issue replaces this.
YOU = "[color=8ab4f8]You[/color]"
AGENT = "[color=81c995]Agent[/color]"


class ConversationScreen(Screen):
    state = StringProperty("Not connected")  # the SDK's connection state, or "Failed"
    status = StringProperty("")  # what `conversation_status` shows
    info = StringProperty("")  # the conversation id and token expiry, or why a message was not sent
    transcript = StringProperty("")  # the messages, oldest first, as Kivy markup
    failed = BooleanProperty(False)
    connecting = BooleanProperty(False)
    resolved = BooleanProperty(False)
    can_send = BooleanProperty(False)
    _unsent = ""  # the text of the message being sent, put back if it fails

    # ConversationView, called by mobile_client.messaging on the UI thread.

    def show_connection(self, state: str) -> None:
        self.state = state
        self._update_can_send()

    def show_connecting(self, text: str) -> None:
        self.status, self.failed, self.connecting = text, False, True

    def show_conversation(self, conversation: Conversation, renewed: bool) -> None:
        self.failed, self.connecting = False, False
        if conversation.authenticated:
            self.status = f"Authenticated as customer {conversation.customer_id} ({conversation.flow} flow)"
        else:
            self.status = "Unauthenticated conversation"
        if renewed:
            self.status += " - reconnected after the token expired"
        expires = time.strftime("%H:%M:%S", time.localtime(conversation.expires_at))
        self.info = f"Conversation {conversation.conversation_id}, token valid until {expires}"
        if conversation.resolved:
            self.show_resolved(conversation)
        self._update_can_send()

    def show_messages(self, messages: list[Message]) -> None:
        self.transcript = "\n".join(
            f"[b]{YOU if message.from_consumer else AGENT}:[/b] {escape_markup(message.text)}"
            for message in messages
        )
        Clock.schedule_once(self._scroll_to_newest)  # once the label has its new height

    def show_resolved(self, conversation: Conversation) -> None:
        self.resolved = True
        closed_by = CLOSED_BY.get(conversation.close_reason or "", "LivePerson")
        self.status = f"The conversation was closed by {closed_by}."
        self._update_can_send()

    def show_failure(self, reason: str) -> None:
        self.state, self.status, self.failed, self.connecting = "Failed", reason, True, False
        self._update_can_send()

    def message_sent(self, error: str | None) -> None:
        if error is not None:
            self.ids.message_input.text, self.info = self._unsent, f"Not sent: {error}"
        self._unsent = ""

    # Buttons

    def send(self) -> None:
        text = self.ids.message_input.text.strip()
        if text and self.can_send and not self._unsent:
            self._unsent, self.ids.message_input.text = text, ""
            App.get_running_app().messaging.send(text)

    def retry(self) -> None:
        App.get_running_app().messaging.retry()

    def leave(self) -> None:
        app = App.get_running_app()
        app.messaging.end()
        self.state, self.status, self.info, self.transcript = "Not connected", "", "", ""
        self.failed = self.connecting = self.resolved = False
        self._update_can_send()
        app.show("home")

    def _update_can_send(self) -> None:
        self.can_send = self.state == "Connected" and not self.resolved and not self.failed

    def _scroll_to_newest(self, _dt: float) -> None:
        self.ids.transcript.scroll_y = 0
