"""The code exchange exactly as LivePerson sends it: RFC 6749 §4.1.3, form-encoded, with the
client's credentials as HTTP Basic (`client_secret_basic`) or in the body (`client_secret_post`).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_plus

import requests

from shared.validation.errors import AUTH_FAILED, BRAND_TIMEOUT, ValidationFailure
from shared.validation.masking import masked
from shared.validation.safe_json import DOCUMENT_LIMIT, JsonRejected, loads

AUTH_METHODS = ("basic", "post")


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
    sent = [client_secret, *(form.get(name) for name in ("code", "code_verifier"))]
    record = HttpRecord("POST", token_endpoint, masked(headers), masked(form))
    try:
        response = requests.post(token_endpoint, data=form, headers=headers, timeout=timeout)
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
) -> tuple[dict[str, Any], HttpRecord]:
    """The brand's token response body; a ValidationFailure carries the record too."""
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    if code_verifier is not None:
        form["code_verifier"] = code_verifier
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
                "token-exchange",
                BRAND_TIMEOUT,
                f"The brand's token endpoint did not answer within {timeout:g} s.",
                record,
            )
        raise ValidationFailure(
            "token-exchange", AUTH_FAILED, f"Could not reach {token_endpoint}: {record.body}", record
        )
    if response.status_code != 200:
        answer = record.body  # masked: the message is recorded too
        detail = (
            f"{answer.get('error')}: {answer.get('error_description', '')}"
            if isinstance(answer, dict)
            else answer
        )
        raise ValidationFailure(
            "token-exchange",
            AUTH_FAILED,
            f"The brand rejected the code: HTTP {response.status_code} {detail}",
            record,
        )
    if not isinstance(body, dict) or not isinstance(body.get("id_token"), str):
        raise ValidationFailure(
            "token-exchange",
            AUTH_FAILED,
            "The token response is not JSON with an id_token (OpenID Connect Core §3.1.3.3).",
            record,
        )
    return body, record
