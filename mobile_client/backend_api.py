"""The brand backend's app API, as the mobile app calls it (plain Python, no Kivy).

- `POST /api/session` {email, password, device_token?} -> {session_token, user, device_token}:
  log in; the device token proves this app logged in before, the next time it does.
- `DELETE /api/session` (Bearer): log out, the token stops working.
- `GET /api/me` (Bearer): who the token belongs to (checks a remembered session).
- `POST /api/liveperson/code` (Bearer) -> {code, redirect_uri, expires_in, scope}: for the code flow.
- `POST /api/liveperson/jwt` (Bearer) -> {id_token, expires_in}: for the implicit flow.

`sdk_authentication` turns either into what the Messaging SDK takes, for the app and the terminal.

Every call is blocking and has a timeout: call it from a worker thread (`background.py`).
Every failure is a `BackendError` whose message can be shown to the user as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

from shared.messaging_sdk import AuthenticationParams, PkceParams, get_pkce_params
from shared.messaging_sdk.idp import connection_failure

# As the website asks (web_client --code-scope): the identity, and the brand API's scope, which the
# code grants once the customer allowed LivePerson it, so that its bots act for them (Consumer
# Delegation).
CODE_SCOPE = "openid profile email orders.read"


class BackendError(Exception):
    """`status`: the HTTP status the backend answered with, or None if it was not reached."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status

    @property
    def session_expired(self) -> bool:
        return self.status == 401


@dataclass(frozen=True)
class Login:
    session_token: str
    user: dict[str, Any]
    device_token: str | None


class BackendApi:
    def __init__(self, base_url: str, timeout: float = 15) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def log_in(self, email: str, password: str, device_token: str | None = None) -> Login:
        if not email.strip() or not password:
            raise BackendError("Enter your email and your password.")
        credentials = {"email": email.strip(), "password": password}
        if device_token is not None:
            credentials["device_token"] = device_token
        body = self._call("POST", "/api/session", json=credentials)
        token, user, device = body.get("session_token"), body.get("user"), body.get("device_token")
        if not isinstance(token, str) or not isinstance(user, dict):
            raise BackendError(f"The backend at {self.base_url} answered without a session token.")
        return Login(token, user, device if isinstance(device, str) else None)

    def log_out(self, session_token: str) -> None:
        self._call("DELETE", "/api/session", session_token)

    def me(self, session_token: str) -> dict[str, Any]:
        return self._call("GET", "/api/me", session_token)

    def liveperson_code(
        self, session_token: str, pkce: PkceParams | None = None, scope: str | None = None
    ) -> dict[str, Any]:
        """With PKCE, only the challenge goes to the backend; the verifier stays in the app.
        `scope` may add the brand API's scopes; the code grants those the customer allowed."""
        request: dict[str, str] = {"scope": scope} if scope else {}
        if pkce is not None:
            request.update(code_challenge=pkce.code_challenge,
                           code_challenge_method=pkce.code_challenge_method)
        body = self._call("POST", "/api/liveperson/code", session_token, json=request or None)
        if not isinstance(body.get("code"), str) or not isinstance(body.get("redirect_uri"), str):
            raise BackendError("The backend's answer has no code and redirect_uri.")
        return body

    def liveperson_jwt(self, session_token: str) -> dict[str, Any]:
        body = self._call("POST", "/api/liveperson/jwt", session_token)
        if not isinstance(body.get("id_token"), str):
            raise BackendError("The backend's answer has no id_token.")
        return body

    def sdk_authentication(
        self, session_token: str, flow: str, pkce: bool, step_up: bool = False
    ) -> AuthenticationParams:
        """What the app hands the SDK when it asks for authentication: a fresh code or a signed
        id_token, which carries a guest's conversation over to the customer if `step_up`."""
        if flow == "implicit":
            id_token = self.liveperson_jwt(session_token)["id_token"]
            return AuthenticationParams.jwt(id_token, perform_step_up=step_up)
        # LivePerson's mobile PKCE: the SDK makes the verifier; the backend sees the challenge only.
        # Only when the LivePerson account has PKCE on: else LivePerson sends no verifier to the
        # brand, which then refuses a code issued for a challenge.
        proof = get_pkce_params() if pkce else None
        issued = self.liveperson_code(session_token, proof, CODE_SCOPE)
        verifier = proof.code_verifier if proof is not None else None
        return AuthenticationParams.code(
            issued["code"], issued["redirect_uri"], verifier, perform_step_up=step_up
        )

    def _call(
        self, method: str, path: str, session_token: str | None = None, json: dict[str, str] | None = None
    ) -> dict[str, Any]:
        url = self.base_url + path
        headers = {"Accept": "application/json"}
        if session_token is not None:
            headers["Authorization"] = f"Bearer {session_token}"
        try:
            response = requests.request(method, url, json=json, headers=headers, timeout=self.timeout)
        except requests.ConnectionError as error:
            reason = connection_failure(error)
            raise BackendError(f"Cannot reach the backend at {self.base_url} ({reason}).") from error
        except requests.Timeout as error:
            raise BackendError(
                f"The backend at {self.base_url} did not answer within {self.timeout:g} s."
            ) from error
        except requests.RequestException as error:
            raise BackendError(f"The request to {url} failed: {error}") from error
        if response.status_code == 204:
            return {}
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise BackendError(
                f"The backend answered HTTP {response.status_code} without JSON (is {self.base_url} "
                "the brand's backend?).",
                response.status_code,
            )
        if response.status_code >= 400:
            raise BackendError(_describe(response.status_code, body, session_token), response.status_code)
        return body


def _describe(status: int, body: dict[str, Any], session_token: str | None) -> str:
    description = body.get("error_description") or body.get("error") or f"HTTP {status}"
    if status == 401 and session_token is not None:
        return "Your session has expired. Log in again."
    if status == 429:
        return f"{description} (too many attempts)"
    return str(description)
