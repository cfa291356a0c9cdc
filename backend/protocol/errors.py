"""OAuth 2.0 error responses: RFC 6749 §4.1.2.1 (authorization), §5.2 (token), RFC 6750 §3.1."""

from __future__ import annotations

from typing import Any


class OAuthError(Exception):
    """An error answered in the protocol's own format.

    `error` is one of the codes the RFC defines for the endpoint; `status` the HTTP status.
    """

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status

    def as_dict(self) -> dict[str, Any]:
        return {"error": self.error, "error_description": self.description}


def invalid_request(description: str) -> OAuthError:
    return OAuthError("invalid_request", description)


def invalid_grant(description: str) -> OAuthError:
    return OAuthError("invalid_grant", description)


class InvalidClient(OAuthError):
    """RFC 6749 §5.2: 401, and a `WWW-Authenticate` challenge when the client used Basic."""

    def __init__(self, description: str, used_basic: bool) -> None:
        super().__init__("invalid_client", description, status=401)
        self.used_basic = used_basic


class UnsafeRedirect(Exception):
    """RFC 6749 §4.1.2.1: the client or redirect URI cannot be trusted, so the user sees an
    error page and is never redirected (no open redirector)."""


def single_values(params: Any) -> dict[str, str]:
    """RFC 6749 §3.1/§3.2: parameters MUST NOT be included more than once.

    `params` is a werkzeug MultiDict (or any object with `lists()`); empty values count as absent
    (§3.1: "Parameters sent without a value MUST be treated as if they were omitted").
    """
    values: dict[str, str] = {}
    for name, items in params.lists():
        present = [item for item in items if item != ""]
        if len(present) > 1:
            raise invalid_request(f"The parameter '{name}' is repeated.")
        if present:
            values[name] = present[0]
    return values
