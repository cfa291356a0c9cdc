"""Why an authentication failed, as the host app receives it.

Mirrors Android's `onError(LpError.IDP, message)` and iOS's `LPMessagingSDKAuthenticationFailed(error)`.
LivePerson's refusals carry its error number (9011: the brand refused the code; 1012: JWT
expired; ...). Failures to reach LivePerson at all have no number; their message says what went
wrong on the way.
"""

from __future__ import annotations


class AuthenticationError(Exception):
    """`code`: LivePerson's error number as a string ("9011"), or None (network failures and
    errors LivePerson gives no number). `error`: its short name. `message`: the reason, in a
    sentence. `status`: the HTTP status LivePerson answered with, or None if it did not answer."""

    def __init__(self, code: str | None, error: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.error = error
        self.message = message
        self.status = status

    @property
    def reason(self) -> str:
        """One line for the user interface: "9011 Customer authentication failed: ..."."""
        prefix = f"{self.code} {self.error}" if self.code else self.error
        return f"{prefix}: {self.message}"

    def __str__(self) -> str:
        return self.reason

    def __repr__(self) -> str:
        return f"AuthenticationError(code={self.code!r}, error={self.error!r}, message={self.message!r})"
