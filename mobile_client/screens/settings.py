"""The settings screen: which flow the app uses to authenticate the customer with LivePerson,
and where it finds the backend and LivePerson (set on the command line)."""

from __future__ import annotations

from kivy.app import App
from kivy.properties import StringProperty
from kivy.uix.screenmanager import Screen


class SettingsScreen(Screen):
    came_from = StringProperty("login")
    endpoints = StringProperty("")

    def on_pre_enter(self, *args: object) -> None:
        settings = App.get_running_app().client_settings
        self.endpoints = (
            f"Backend: {settings.backend_url}\n"
            f"LivePerson: {settings.liveperson_url} (account {settings.account})"
        )
        flow = settings.flow
        self.ids.flow_code.state = "down" if flow == "code" else "normal"
        self.ids.flow_implicit.state = "down" if flow == "implicit" else "normal"
        self.ids.pkce.state = "down" if settings.pkce else "normal"
        self.ids.pkce.disabled = flow != "code"

    def choose(self, flow: str) -> None:
        App.get_running_app().set_flow(flow)
        self.on_pre_enter()  # a toggle pressed twice stays down

    def use_pkce(self, on: bool) -> None:
        App.get_running_app().set_pkce(on)
        self.on_pre_enter()

    def back(self) -> None:
        App.get_running_app().show(self.came_from)
