"""OAuth 2.0 error responses: RFC 6749 §4.1.2.1 (authorization), §5.2 (token), RFC 6750 §3.1.

Protocol code raises these; one handler (`backend/errors.py`) answers them in the format of the
endpoint that raised them, so no view catches them itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class OAuthError(Exception):
    """An error answered in the protocol's own format.

    `error` is one of the codes the RFC defines for the endpoint, or None where the RFC wants
    none (RFC 6750 §3.1, a request without credentials); `status` is the HTTP status and
    `headers` any the RFC requires with it.
    """

    def __init__(self, error: str | None, description: str, status: int = 400,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status
        self.headers = dict(headers or {})

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error_description": self.description}
        if self.error is not None:
            body["error"] = self.error
        return body


def invalid_request(description: str) -> OAuthError:
    return OAuthError("invalid_request", description)


def invalid_grant(description: str) -> OAuthError:
    return OAuthError("invalid_grant", description)


def invalid_scope(description: str) -> OAuthError:
    return OAuthError("invalid_scope", description)


def invalid_token(description: str) -> OAuthError:
    """RFC 6750 §3.1: the access token is unknown, expired or revoked."""
    return OAuthError("invalid_token", description, status=401)


def token_required(description: str) -> OAuthError:
    """RFC 6750 §3.1: a request that carries no access token at all gets a bare challenge,
    without an error code."""
    return OAuthError(None, description, status=401)


class InsufficientScope(OAuthError):
    """RFC 6750 §3.1: 403, and the challenge names the `scope` the resource needs."""

    def __init__(self, scope: str) -> None:
        super().__init__("insufficient_scope", f"The access token was not granted the scope {scope!r}.",
                         status=403)
        self.scope = scope


class InvalidClient(OAuthError):
    """RFC 6749 §5.2: 401, and a `WWW-Authenticate` challenge when the client used Basic."""

    def __init__(self, description: str, used_basic: bool) -> None:
        challenge = {"WWW-Authenticate": 'Basic realm="token", charset="UTF-8"'} if used_basic else {}
        super().__init__("invalid_client", description, status=401, headers=challenge)
        self.used_basic = used_basic


class UnsafeRedirect(OAuthError):
    """RFC 6749 §4.1.2.1: the client or redirect URI cannot be trusted, so the user sees an
    error page and is never redirected (no open redirector)."""

    def __init__(self, description: str) -> None:
        super().__init__("invalid_request", description)


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
