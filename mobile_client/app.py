"""`BrandApp`: the brand's mobile app. It owns the services (backend API, session store,
Messaging SDK) and the navigation between the screens; each screen lives in `screens/`, its layout
in the `.kv` file next to it.

Navigation: login -> home -> conversation, with settings from login and home. A guest goes from
login straight to a conversation ("Chat as a guest"); its "Log in to chat as yourself" returns to
login with the conversation kept, and the login carries it over (step-up) and goes back to it. Its
"Back" keeps it too: the login screen offers to go back to it. An authenticated customer's "Back"
leaves the conversation on this device (it stays open at LivePerson: "Chat with us" finds it again).
Logging out logs out of the SDK as well; the login screen then offers a new guest chat, which as
at LivePerson does not see the logged-out customer's conversation.
"""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.properties import BooleanProperty, DictProperty, StringProperty
from kivy.uix.screenmanager import NoTransition, ScreenManager

from mobile_client.backend_api import BackendApi, BackendError, Login
from mobile_client.background import run_in_background
from mobile_client.config import ClientSettings, default_backend_url, default_liveperson_url
from mobile_client.messaging import MessagingSdk
from mobile_client.screens import load_layouts
from mobile_client.screens.conversation import ConversationScreen
from mobile_client.screens.home import HomeScreen
from mobile_client.screens.login import LoginScreen
from mobile_client.screens.settings import SettingsScreen
from mobile_client.session_store import SessionStore
from shared.messaging_sdk import AuthenticationParams


class BrandApp(App):
    title = "Brand"
    use_kivy_settings = False

    user: dict[str, Any] = DictProperty({})  # the logged-in customer's profile; {} when logged out
    notice = StringProperty("")  # app-wide information, e.g. the session is only kept in memory
    guest_chat = BooleanProperty(False)  # a guest's conversation waits for the login that carries it over

    def __init__(
        self,
        backend_url: str | None = None,
        liveperson_url: str | None = None,
        flow: str = "code",
        *,
        pkce: bool = False,
        account: str | None = None,
        timeout: float = 15,
        session_store: SessionStore | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        settings = ClientSettings(
            backend_url or default_backend_url(),
            liveperson_url or default_liveperson_url(),
            flow,
            timeout=timeout,
            pkce=pkce,
        )
        if account:
            settings.account = account
        self.client_settings = settings
        self.api = BackendApi(settings.backend_url, settings.timeout)
        self.session_store = session_store or SessionStore()
        self.session_token: str | None = None
        self.messaging: MessagingSdk | None = None

    def build(self) -> ScreenManager:
        load_layouts()
        manager = ScreenManager(transition=NoTransition())
        for screen in (LoginScreen(), HomeScreen(), ConversationScreen(), SettingsScreen()):
            manager.add_widget(screen)
        self.messaging = MessagingSdk(
            self.client_settings, self.fetch_auth, manager.get_screen("conversation")
        )
        return manager

    def on_start(self) -> None:
        self.restore_session()

    def on_stop(self) -> None:
        if self.messaging is not None:
            self.messaging.end()

    # Navigation

    def show(self, name: str) -> None:
        self.root.current = name

    def show_settings(self) -> None:
        self.root.get_screen("settings").came_from = self.root.current
        self.show("settings")

    # Session

    def restore_session(self) -> None:
        """A session remembered in the secret store: check it with the backend, then go home."""
        login = self.root.get_screen("login")
        login.set_busy("Checking the saved session...")

        def work() -> tuple[str, dict[str, Any]] | None:
            token = self.session_store.load()
            return None if token is None else (token, self.api.me(token))

        def done(result: tuple[str, dict[str, Any]] | None) -> None:
            login.set_idle("")
            if result is not None:
                self.signed_in(*result)

        def failed(error: Exception) -> None:
            if isinstance(error, BackendError) and error.session_expired:
                self.forget_session("Your saved session has expired. Log in again.")
            else:
                login.set_idle(str(error), error=True)

        run_in_background(work, done, failed, name="restore-session")

    def log_in(self, email: str, password: str) -> None:
        login = self.root.get_screen("login")
        login.set_busy("Signing in...")

        def work() -> tuple[Login, bool]:
            result = self.api.log_in(email, password, self.session_store.device_token())
            return result, self.session_store.save(result.session_token, result.device_token)

        def done(result: tuple[Login, bool]) -> None:
            result_login, kept = result
            self.notice = (
                "" if kept else "No secret store on this system: the session is kept in memory only."
            )
            login.set_idle("")
            self.signed_in(result_login.session_token, result_login.user)

        run_in_background(work, done, lambda error: login.set_idle(str(error), error=True), name="log-in")

    def signed_in(self, token: str, user: dict[str, Any]) -> None:
        self.session_token = token
        self.user = user
        self.root.get_screen("home").set_message("")
        assert self.messaging is not None
        if self.guest_chat:
            self.guest_chat = False
            if self.messaging.can_step_up:
                self.show("conversation")
                self.messaging.step_up(self.client_settings.flow)
                return
            self.messaging.end()  # closed by the agent meanwhile, or never started: nothing to carry over
        self.show("home")

    def log_out(self) -> None:
        """Log out of the SDK (its token and the conversation are forgotten and no longer shown),
        end the session at the backend, forget the stored token."""
        token, self.session_token = self.session_token, None
        if self.messaging is not None:
            self.messaging.end()
        home = self.root.get_screen("home")
        home.busy = True

        def work() -> str:
            self.session_store.clear()
            if token is None:
                return ""
            try:
                self.api.log_out(token)
            except BackendError as error:
                if error.session_expired:
                    return ""
                return f"Logged out on this device; the backend was not told ({error})"
            return ""

        def done(message: str) -> None:
            home.busy = False
            self.user = {}
            self.root.get_screen("login").set_idle(message, error=bool(message))
            self.show("login")

        def failed(error: Exception) -> None:
            home.busy = False
            home.set_message(f"Could not log out: {error}", error=True)

        run_in_background(work, done, failed, name="log-out")

    def forget_session(self, message: str) -> None:
        """The backend no longer accepts the session: drop it and show the login screen."""
        self.session_token = None
        self.user = {}
        if self.messaging is not None:
            self.messaging.end()
        self.root.get_screen("login").set_idle(message, error=True)
        self.show("login")
        run_in_background(self.session_store.clear, lambda _: None, lambda _error: None, name="forget")

    # Conversation

    def chat(self) -> None:
        assert self.messaging is not None
        self.show("conversation")
        self.messaging.start(self.client_settings.flow)

    def chat_as_guest(self) -> None:
        """Before any login: an unauthenticated conversation, or back to the one already waiting."""
        assert self.messaging is not None
        self.show("conversation")
        if not self.guest_chat:
            self.guest_chat = True
            self.messaging.start_as_guest()

    def log_in_from_chat(self) -> None:
        """The guest wants to chat as themselves: log in; `signed_in` then steps the conversation up."""
        self.show("login")

    def leave_chat(self) -> None:
        assert self.messaging is not None
        if self.guest_chat:
            # Only this device holds the guest's identity: leaving it would lose the conversation.
            self.show("login")
            return
        self.messaging.end()
        self.show("home")

    def fetch_auth(self, flow: str, step_up: bool = False) -> AuthenticationParams:
        """The SDK needs authentication: a code or a JWT from the backend, to carry a guest's
        conversation over to the customer if `step_up`. Runs on a worker thread."""
        token = self.session_token
        if token is None:
            raise BackendError("You are logged out.")
        return self.api.sdk_authentication(token, flow, self.client_settings.pkce, step_up)

    def set_flow(self, flow: str) -> None:
        self.client_settings.flow = flow

    def set_pkce(self, on: bool) -> None:
        self.client_settings.pkce = on
