"""The home screen: who is logged in, "Chat with us", logout."""

from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.screenmanager import Screen


def describe(user: dict[str, Any]) -> str:
    if not user:
        return ""
    name = user.get("name") or user.get("email") or "customer"
    return f"Logged in as {name}\n{user.get('email', '')}\nCustomer id: {user.get('sub', '?')}"


class HomeScreen(Screen):
    busy = BooleanProperty(False)
    message = StringProperty("")
    is_error = BooleanProperty(False)

    def set_message(self, message: str, error: bool = False) -> None:
        self.message, self.is_error = message, error
