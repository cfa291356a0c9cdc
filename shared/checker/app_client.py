"""The brand backend's app API, called as this project's app calls it: log in with an email and
a password (`POST /api/session`), then ask for a code for LivePerson (`POST /api/liveperson/code`),
with or without a PKCE challenge, and with the scopes the delegation checks ask for. The checks
that redeem codes of their own get them here.
"""

from __future__ import annotations

import requests

from shared.checker.reasons import FAIL, NotRun, detail, json_body
from shared.validation import brand_http


class CodeRefused(NotRun):
    """The backend's code endpoint refused the request."""


class BackendApp:
    """One customer's login to the backend's app API, asked for once and kept for every code."""

    def __init__(self, issuer: str, email: str, password: str, timeout: float) -> None:
        self._issuer = issuer
        self._email = email
        self._password = password
        self._timeout = timeout
        self._session: str | None = None
        self._login_failure: NotRun | None = None

    def fresh_code(
        self, redirect_uri: str, *, pkce_challenge: str | None = None, scope: str | None = None
    ) -> str:
        """A new code from `POST /api/liveperson/code` for `redirect_uri`, bound to an S256
        `pkce_challenge` when given, asking for `scope` when given."""
        session = self._login()
        url = self._url("/api/liveperson/code")
        body = {"redirect_uri": redirect_uri}
        if pkce_challenge is not None:
            body.update(code_challenge=pkce_challenge, code_challenge_method="S256")
        if scope is not None:
            body["scope"] = scope
        try:
            response = brand_http.request(
                "POST", url, json=body, headers={"Authorization": f"Bearer {session}"}, timeout=self._timeout
            )
        except requests.RequestException as error:
            raise NotRun(FAIL, f"Could not obtain a code from {url}: {error}") from None
        code = json_body(response).get("code")
        if response.status_code != 200 or not isinstance(code, str):
            answer = f"HTTP {response.status_code} {detail(response)}"
            raise CodeRefused(FAIL, f"Could not obtain a code: {url} answered {answer}.")
        return code

    def _login(self) -> str:
        """A session token from `POST /api/session`, asked for once (a failed login is not retried:
        the backend rate-limits failures)."""
        if self._login_failure is not None:
            raise self._login_failure
        if self._session is not None:
            return self._session
        url = self._url("/api/session")
        try:
            response = brand_http.request(
                "POST", url, json={"email": self._email, "password": self._password}, timeout=self._timeout
            )
            token = json_body(response).get("session_token")
            if response.status_code != 200 or not isinstance(token, str):
                reason = f"answered HTTP {response.status_code} {detail(response)}"
            else:
                self._session = token
                return token
        except requests.RequestException as error:
            reason = f"failed: {error}"
        self._login_failure = NotRun(
            FAIL, f"Could not log in as {self._email} to obtain codes: POST {url} {reason}"
        )
        raise self._login_failure

    def _url(self, path: str) -> str:
        return self._issuer.rstrip("/") + path
