"""What went wrong, as the host app receives it.

`LpError` is Android's `LpError` (the kinds of `LivePersonCallback.onError(lpError, message)`),
the ones this SDK can meet. `AuthenticationError` carries the kind, and for a refusal by
LivePerson's IdP its `internalErrorCode` (9011: the brand refused the code; 1012: JWT expired;
...; the IdP error table in docs/liveperson-contract.md), the error's name, and the stand-in's
sentence of why. iOS hands the same over as `LPMessagingSDKAuthenticationFailed(error)`.

`RequestError` is a request on the messaging socket that LivePerson refused or never answered
(`send_text` to a closed conversation, ...): raised to the caller, who asked synchronously.
"""

from __future__ import annotations

from enum import Enum


class LpError(Enum):
    IDP = "IDP"  # the IdP refused the code, the JWT or the consumer token
    STEP_UP_FAILURE = "STEP_UP_FAILURE"  # the unauthenticated consumer could not step up
    SOCKET = "SOCKET"  # LivePerson could not be reached, or the socket closed and stayed closed
    TIMEOUT = "TIMEOUT"  # LivePerson did not answer in time
    UNKNOWN = "UNKNOWN"  # an answer that is not LivePerson's


class AuthenticationError(Exception):
    """`kind`: an `LpError`. `code`: LivePerson's `internalErrorCode` ("9011"), or None when it
    gave none (network failures). `error`: the error's short name. `message`: the reason, in a
    sentence. `status`: the HTTP status the IdP answered with, or None. `check`: the stand-in's
    id of the check that failed ("step-up", "pkce", ...), or None."""

    def __init__(
        self,
        kind: LpError,
        error: str,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        check: str | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.error = error
        self.message = message
        self.code = code
        self.status = status
        self.check = check

    @property
    def reason(self) -> str:
        """One line for the user interface: "9011 Customer authentication failed: ..."."""
        prefix = f"{self.code} {self.error}" if self.code else self.error
        return f"{prefix}: {self.message}"

    def __str__(self) -> str:
        return self.reason

    def __repr__(self) -> str:
        return (
            f"AuthenticationError({self.kind.name}, code={self.code!r}, error={self.error!r}, "
            f"message={self.message!r})"
        )


class RequestError(Exception):
    """`code`: the status LivePerson answered the request with (400, 404, 409, ...), or None
    when it was not answered (not connected, the socket closed, no answer in time)."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
