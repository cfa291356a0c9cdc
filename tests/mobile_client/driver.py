"""Drives a `BrandApp` as a user would: types into its text inputs, presses its buttons, and runs
Kivy's event loop (clock, graphics) until what the user waits for is on screen."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kivy.base import EventLoop
from kivy.core.window import Window
from kivy.tests.common import UnitTestTouch
from kivy.uix.widget import Widget

from mobile_client import BrandApp
from tests.support import servers

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "tests" / "artifacts" / "screenshots" / "mobile"
WAIT = 40  # an upper bound for one step (a login, a token exchange, an expiry), never a duration
PHONE = (420, 760)
# The pictures the README shows: only these are copied into docs/ (bin/screenshots).
IN_README = frozenset(
    {
        "login",
        "home",
        "settings-implicit",
        "conversation-code",
        "conversation-renewed",
        "conversation-failed",
        "guest-chat",
        "stepped-up",
    }
)
EMAIL = "demo@example.com"
PASSWORD = "demo-password"


@dataclass
class Driver:
    app: BrandApp

    @classmethod
    def start(cls, backend_url: str, liveperson_url: str, flow: str = "code", timeout: float = 10) -> Driver:
        Window.size = PHONE
        app = BrandApp(backend_url=backend_url, liveperson_url=liveperson_url, flow=flow, timeout=timeout)
        app.root = app.build()
        Window.add_widget(app.root)
        driver = cls(app)
        app.dispatch("on_start")
        driver.wait_until(lambda: not driver.screen("login").busy, "the saved-session check")
        return driver

    def stop(self) -> None:
        self.app.dispatch("on_stop")
        Window.remove_widget(self.app.root)
        self.pump()

    # Looking

    @property
    def current(self) -> str:
        return self.app.root.current

    def screen(self, name: str) -> Widget:
        return self.app.root.get_screen(name)

    def widget(self, screen: str, widget_id: str) -> Widget:
        return self.screen(screen).ids[widget_id]

    def text(self, screen: str, widget_id: str) -> str:
        return self.widget(screen, widget_id).text

    def bubbles(self) -> list[Widget]:
        """The conversation's thread, oldest first (Kivy lists a layout's children newest first)."""
        return list(reversed(self.widget("conversation", "messages").children))

    def thread(self) -> list[str]:
        """The text of each message on the conversation screen, oldest first."""
        return [bubble.text for bubble in self.bubbles()]

    # Acting

    def type(self, screen: str, widget_id: str, text: str) -> None:
        self.widget(screen, widget_id).text = text
        self.pump()

    def press(self, screen: str, widget_id: str) -> None:
        """Tap a button: a touch down and up at its centre, through the window as a finger's."""
        assert self.current == screen, f"{widget_id} is on {screen}, but {self.current} is shown"
        button = self.widget(screen, widget_id)
        assert not button.disabled, f"{widget_id} is disabled"
        # A screen manager ignores touches while it switches screens, as a finger's would be.
        self.wait_until(lambda: not self.app.root.transition.is_active, "the screen to be shown")
        self.pump()  # the layout is up to date
        touch = UnitTestTouch(*button.to_window(*button.center))
        touch.touch_down()
        touch.touch_up()
        self.pump()

    def log_in(self, email: str = EMAIL, password: str = PASSWORD) -> None:
        self.type("login", "email", email)
        self.type("login", "password", password)
        self.press("login", "login_button")
        self.wait_until(lambda: not self.screen("login").busy, "the login to finish")

    # Waiting

    def pump(self, frames: int = 2) -> None:
        for _ in range(frames):
            EventLoop.idle()

    def wait_until(self, condition: Callable[[], bool], what: str, wait: float = WAIT) -> None:
        """Run the event loop until `condition()` holds; fail if it does not within `wait` seconds."""
        deadline = time.monotonic() + wait
        while not condition():
            assert time.monotonic() < deadline, f"gave up waiting for {what} after {wait} s"
            EventLoop.idle()

    def screenshot(self, name: str) -> Path:
        """Save the whole app as `<name>.png`; while bin/screenshots refreshes the README's pictures,
        copy the README's (`IN_README`) into docs/ as `mobile-<name>.png`."""
        self.pump(3)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.app.root.export_to_png(str(path))
        assert path.stat().st_size > 0
        if name in IN_README:
            servers.keep_for_readme(path, f"mobile-{name}")
        return path
