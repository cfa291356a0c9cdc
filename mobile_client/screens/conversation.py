"""The conversation screen, a chat: the thread (the agent's messages on the left, the customer's
on the right, newest at the bottom), a text box and Send, the connection state, and for the
developer who LivePerson knows the customer as (the brand's customer id from the consumer token,
or why authentication failed, with a retry). A guest is offered to log in; the conversation then
goes on as the customer's (step-up, `BrandApp.log_in_from_chat`)."""

from __future__ import annotations

import time

from kivy.app import App
from kivy.clock import Clock
from kivy.core.text import Label as CoreLabel
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen

from shared.messaging_sdk import Conversation, Message

CLOSED_BY = {"AGENT": "the agent", "CONSUMER": "you", "SYSTEM": "LivePerson"}


def text_width(text: str, font_size: float) -> float:
    """The width of `text` unwrapped, so that a short message gets a bubble its own size."""
    measure = CoreLabel(text=text, font_size=font_size)
    measure.refresh()
    return float(measure.content_width)


class MessageBubble(BoxLayout):
    """One message of the thread; its layout is in conversation.kv."""

    text = StringProperty("")  # the message as written: shown without Kivy markup, so never interpreted
    caption = StringProperty("")  # who wrote it, and when
    mine = BooleanProperty(False)  # the customer's own message
    sequence = NumericProperty(0)  # LivePerson's number for it in the conversation


class ConversationScreen(Screen):
    state = StringProperty("Not connected")  # the SDK's connection state, or "Failed"
    status = StringProperty("")  # what `conversation_status` shows
    info = StringProperty("")  # the conversation id and token expiry, or why a message was not sent
    transcript = StringProperty("")  # the thread as plain text, one "You: ..." / "Agent: ..." line each
    failed = BooleanProperty(False)
    connecting = BooleanProperty(False)
    resolved = BooleanProperty(False)
    can_send = BooleanProperty(False)
    guest = BooleanProperty(False)  # an unauthenticated conversation: the customer is offered to log in
    stepped_up = BooleanProperty(False)  # a guest conversation that went on as the customer's
    # The logged-in customer's name. Not `app.user` in the .kv: Kivy's `app` there stays bound to the
    # first app it saw if a rule is evaluated after that app stopped (as `clear` does at on_stop).
    customer = StringProperty("")
    _unsent = ""  # the text of the message being sent, put back if it fails

    # ConversationView, called by mobile_client.messaging on the UI thread.

    def show_connection(self, state: str) -> None:
        self.state = state
        self._update_can_send()

    def show_connecting(self, text: str) -> None:
        self.status, self.failed, self.connecting = text, False, True

    def show_conversation(self, conversation: Conversation, renewed: bool, stepped_up: bool) -> None:
        self.failed, self.connecting = False, False
        self.guest, self.stepped_up = not conversation.authenticated, stepped_up
        self.customer = App.get_running_app().user.get("name", "") if conversation.authenticated else ""
        if conversation.authenticated:
            self.status = f"Authenticated as customer {conversation.customer_id} ({conversation.flow} flow)"
        else:
            self.status = "Unauthenticated conversation"
        if renewed:
            self.status += " - reconnected after the token expired"
        expires = time.strftime("%H:%M:%S", time.localtime(conversation.expires_at))
        origin = " (stepped up from a guest conversation)" if stepped_up else ""
        self.info = f"Conversation {conversation.conversation_id}{origin}, token valid until {expires}"
        if conversation.resolved:
            self.show_resolved(conversation)
        self._update_can_send()

    def show_messages(self, messages: list[Message]) -> None:
        """One bubble per message; only the new ones are added, unless the thread changed under
        them (another conversation), then it is drawn again."""
        thread = self.ids.messages
        shown = [bubble.sequence for bubble in reversed(thread.children)]  # children: newest first
        if [message.sequence for message in messages[: len(shown)]] != shown:
            thread.clear_widgets()
            shown = []
        for index in range(len(shown), len(messages)):
            message = messages[index]
            thread.add_widget(
                MessageBubble(
                    text=message.text,
                    caption=_caption(message, messages[index - 1] if index else None),
                    mine=message.from_consumer,
                    sequence=message.sequence,
                )
            )
        self.transcript = "\n".join(
            f"{'You' if message.from_consumer else 'Agent'}: {message.text}" for message in messages
        )
        Clock.schedule_once(self._scroll_to_newest)  # once the thread has its new height

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

    def clear(self) -> None:
        """No conversation: nothing of the last one stays on the screen."""
        self.ids.messages.clear_widgets()
        self.ids.message_input.text = self._unsent = ""
        self.state, self.status, self.info, self.transcript, self.customer = "Not connected", "", "", "", ""
        self.failed = self.connecting = self.resolved = self.guest = self.stepped_up = False
        self._update_can_send()

    # Buttons

    def send(self) -> None:
        text = self.ids.message_input.text.strip()
        if text and self.can_send and not self._unsent:
            self._unsent, self.ids.message_input.text = text, ""
            App.get_running_app().messaging.send(text)

    def retry(self) -> None:
        App.get_running_app().messaging.retry()

    def start_again(self) -> None:
        App.get_running_app().messaging.start_again()

    def log_in(self) -> None:
        App.get_running_app().log_in_from_chat()

    def leave(self) -> None:
        App.get_running_app().leave_chat()

    def _update_can_send(self) -> None:
        self.can_send = self.state == "Connected" and not self.resolved and not self.failed

    def _scroll_to_newest(self, _dt: float) -> None:
        self.ids.transcript.scroll_y = 0


def _caption(message: Message, previous: Message | None) -> str:
    """Who wrote the message, and when; nothing under a message of the same writer and minute, as
    chats group a run of messages."""
    at = _minute(message)
    if previous is not None and (previous.from_consumer, _minute(previous)) == (message.from_consumer, at):
        return ""
    return f"{'You' if message.from_consumer else 'Agent'} · {at}"


def _minute(message: Message) -> str:
    return time.strftime("%H:%M", time.localtime(message.server_timestamp / 1000))
