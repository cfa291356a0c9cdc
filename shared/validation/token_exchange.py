"""The requests LivePerson sends the brand's token endpoint, form-encoded, with the client's
credentials as HTTP Basic (`client_secret_basic`) or in the body (`client_secret_post`):

- the code exchange, RFC 6749 §4.1.3 (LivePerson's "Consumer Authentication — Detailed API");
- the refresh of a delegated access token, §6 (LivePerson's "Consumer Delegation: Introduction":
  "the refresh_token will be used to renew the access_token"; it does not document the request,
  so it is the standard one, authenticated as the code exchange is).

What the brand granted comes back as a `Grant`, which the caller holds and no record ever does.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_plus

import requests

from shared.validation import brand_http
from shared.validation.errors import AUTH_FAILED, BRAND_TIMEOUT, ValidationFailure
from shared.validation.masking import masked
from shared.validation.safe_json import DOCUMENT_LIMIT, JsonRejected, loads

AUTH_METHODS = ("basic", "post")
# Where a token response's member is required, for the reason given when it is missing.
_REQUIRED_BY = {"id_token": "OpenID Connect Core §3.1.3.3", "access_token": "RFC 6749 §5.1"}
MAX_EXPIRES_IN = 10 * 365 * 24 * 3600  # seconds; a longer expires_in is read as no expiry given


@dataclass
class HttpRecord:
    """One request to the brand and its answer, secrets masked: what the inspector shows."""

    method: str
    url: str
    headers: dict[str, str]
    form: dict[str, str]
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    body: Any = None


def basic_credentials(client_id: str, client_secret: str) -> str:
    """§2.3.1: each part form-urlencoded, then joined with ':' and base64-encoded."""
    raw = f"{quote_plus(client_id)}:{quote_plus(client_secret)}".encode()
    return "Basic " + base64.b64encode(raw).decode()


def request_tokens(
    token_endpoint: str,
    *,
    form: dict[str, str],
    client_id: str,
    client_secret: str,
    auth_method: str,
    timeout: float,
) -> tuple[requests.Response | None, Any, HttpRecord]:
    """POST a token request. Returns the response (None when the brand did not answer), its JSON
    body (None when it is not JSON), and the record of both with every secret masked."""
    headers: dict[str, str] = {"Accept": "application/json"}
    form = dict(form)
    if auth_method == "basic":
        headers["Authorization"] = basic_credentials(client_id, client_secret)
    else:
        form.update(client_id=client_id, client_secret=client_secret)
    # What was sent is hidden wherever the brand's answer might echo it.
    sent = [client_secret, *(form.get(name) for name in ("code", "code_verifier", "refresh_token"))]
    record = HttpRecord("POST", token_endpoint, masked(headers), masked(form))
    try:
        response = brand_http.request("POST", token_endpoint, data=form, headers=headers, timeout=timeout)
        content = response.content
    except requests.Timeout:
        return None, None, record
    except requests.RequestException as error:
        record.body = masked(f"Connection failed: {error}", hide=sent)
        return None, None, record
    record.status = response.status_code
    record.response_headers = masked(dict(response.headers), hide=sent)
    try:
        body = loads(content, limit=DOCUMENT_LIMIT)
    except JsonRejected:
        body = None
        record.body = masked(content[:2000].decode("utf-8", "replace"), hide=sent)
    else:
        record.body = masked(body, hide=sent)
    return response, body, record


@dataclass(frozen=True)
class Grant:
    """The tokens of a successful token response, for the caller to keep or drop; never shown in
    a repr, so never in a traceback or a log either."""

    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    id_token: str | None = field(repr=False)
    expires_in: int | None  # seconds; None when the brand did not say (or said nonsense)
    scope: str | None

    @classmethod
    def of(cls, body: dict[str, Any]) -> Grant | None:
        """The grant in a token response's body; None without a usable access_token."""
        access_token = body.get("access_token")
        if not isinstance(access_token, str) or not access_token:
            return None
        expires_in = body.get("expires_in")
        seconds = isinstance(expires_in, int) and not isinstance(expires_in, bool)
        if not seconds or not 0 < expires_in <= MAX_EXPIRES_IN:
            expires_in = None
        return cls(
            access_token=access_token,
            refresh_token=_text(body, "refresh_token"),
            id_token=_text(body, "id_token"),
            expires_in=expires_in,
            scope=_text(body, "scope"),
        )


def _text(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    return value if isinstance(value, str) and value else None


def exchange_code(
    token_endpoint: str,
    *,
    code: str,
    redirect_uri: str,
    code_verifier: str | None,
    client_id: str,
    client_secret: str,
    auth_method: str,
    timeout: float,
    require: str = "id_token",
) -> tuple[dict[str, Any], HttpRecord]:
    """The brand's token response body, which holds `require` (the id_token of Consumer
    Authentication, the access_token of Consumer Delegation); a ValidationFailure carries the
    record too."""
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    if code_verifier is not None:
        form["code_verifier"] = code_verifier
    return _token_response(
        token_endpoint,
        form,
        check="token-exchange",
        refused="The brand rejected the code",
        require=require,
        client_id=client_id,
        client_secret=client_secret,
        auth_method=auth_method,
        timeout=timeout,
    )


def refresh(
    token_endpoint: str,
    *,
    refresh_token: str,
    client_id: str,
    client_secret: str,
    auth_method: str,
    timeout: float,
) -> tuple[dict[str, Any], HttpRecord]:
    """§6: a new access token (and, when the brand rotates them, a new refresh token)."""
    return _token_response(
        token_endpoint,
        {"grant_type": "refresh_token", "refresh_token": refresh_token},
        check="token-refresh",
        refused="The brand refused the refresh token",
        require="access_token",
        client_id=client_id,
        client_secret=client_secret,
        auth_method=auth_method,
        timeout=timeout,
    )


def _token_response(
    token_endpoint: str,
    form: dict[str, str],
    *,
    check: str,
    refused: str,
    require: str,
    client_id: str,
    client_secret: str,
    auth_method: str,
    timeout: float,
) -> tuple[dict[str, Any], HttpRecord]:
    response, body, record = request_tokens(
        token_endpoint,
        form=form,
        client_id=client_id,
        client_secret=client_secret,
        auth_method=auth_method,
        timeout=timeout,
    )
    if response is None:
        if record.body is None:
            raise ValidationFailure(
                check,
                BRAND_TIMEOUT,
                f"The brand's token endpoint did not answer within {timeout:g} s.",
                record,
            )
        raise ValidationFailure(
            check, AUTH_FAILED, f"Could not reach {token_endpoint}: {record.body}", record
        )
    if response.status_code != 200:
        answer = record.body  # masked: the message is recorded too
        detail = (
            f"{answer.get('error')}: {answer.get('error_description', '')}"
            if isinstance(answer, dict)
            else answer
        )
        raise ValidationFailure(
            check, AUTH_FAILED, f"{refused}: HTTP {response.status_code} {detail}", record
        )
    if not isinstance(body, dict) or not isinstance(body.get(require), str):
        raise ValidationFailure(
            check,
            AUTH_FAILED,
            f"The token response is not JSON with an {require} ({_REQUIRED_BY[require]}).",
            record,
        )
    return body, record
