"""The login screen: email and password, checked by the brand's backend; or a chat as a guest,
which a later login here carries over to the customer (step-up)."""

from __future__ import annotations

from kivy.app import App
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.screenmanager import Screen


class LoginScreen(Screen):
    busy = BooleanProperty(False)
    message = StringProperty("")
    is_error = BooleanProperty(False)

    def log_in(self) -> None:
        if not self.busy:
            App.get_running_app().log_in(self.ids.email.text, self.ids.password.text)

    def chat_as_guest(self) -> None:
        if not self.busy:  # not while a login (or the saved session's check) may sign the customer in
            App.get_running_app().chat_as_guest()

    def set_busy(self, message: str) -> None:
        self.busy, self.message, self.is_error = True, message, False

    def set_idle(self, message: str, error: bool = False) -> None:
        self.busy, self.message, self.is_error = False, message, error
        if not error:
            self.ids.password.text = ""
