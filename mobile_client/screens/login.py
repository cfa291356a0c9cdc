"""The login screen: email and password, checked by the brand's backend."""

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

    def set_busy(self, message: str) -> None:
        self.busy, self.message, self.is_error = True, message, False

    def set_idle(self, message: str, error: bool = False) -> None:
        self.busy, self.message, self.is_error = False, message, error
        if not error:
            self.ids.password.text = ""
