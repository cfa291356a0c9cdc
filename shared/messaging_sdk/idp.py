"""The SDK's two calls to LivePerson's IdP ("Messaging Window API — Getting Started",
"Tutorials — Authentication"), each answered `{"jwt": <consumer token>}`:

- `signup`: `POST /api/account/{account}/signup`, an unauthenticated consumer; with the expired
  token in `Authorization: jwt <token>`, the same consumer extended (after the socket closed 4407);
- `authenticate`: `POST /api/account/{account}/authenticate` with `{"authCode"}` holding the
  brand's code (+ `redirect_uri` [+ `code_verifier`]) or its JWT, and `"channel": "mobile"`;
  with an unauthenticated consumer's token in `Authorization: jwt <token>`, a step-up.

A refusal is LivePerson's `{"internalErrorCode"}` plus the stand-in's `error`, `message` and
`check`; it and every way the call can fail end as an `AuthenticationError` of its `LpError` kind.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import requests

from shared.messaging_sdk.authentication import AuthenticationParams, AuthType
from shared.messaging_sdk.consumer_token import ConsumerToken, NotAConsumerToken
from shared.messaging_sdk.errors import AuthenticationError, LpError

CHANNEL = "mobile"
STEP_UP_CHECK = "step-up"  # the stand-in's id of the check a bad step-up token fails


def signup(
    liveperson_url: str, account: str, timeout: float, expired: ConsumerToken | None = None
) -> ConsumerToken:
    """A new unauthenticated consumer, or `expired`'s identity extended."""
    return _post(liveperson_url, account, "signup", None, expired, timeout)


def authenticate(
    liveperson_url: str,
    account: str,
    params: AuthenticationParams,
    timeout: float,
    step_up_from: ConsumerToken | None = None,
) -> ConsumerToken:
    """The brand's customer; `step_up_from` is the unauthenticated consumer stepping up."""
    if params.type is not AuthType.AUTH:
        raise ValueError("only an AUTH customer is authenticated; UN_AUTH signs up")
    return _post(liveperson_url, account, "authenticate", request_body(params), step_up_from, timeout)


def request_body(params: AuthenticationParams) -> dict[str, str]:
    if params.host_app_jwt is not None:
        return {"authCode": params.host_app_jwt, "channel": CHANNEL}
    assert params.auth_key is not None and params.host_app_redirect_uri is not None
    body = {"authCode": params.auth_key, "redirect_uri": params.host_app_redirect_uri, "channel": CHANNEL}
    if params.code_verifier is not None:
        body["code_verifier"] = params.code_verifier
    return body


def connection_failure(error: requests.ConnectionError) -> str:
    """The innermost reason ("Connection refused"), not urllib3's whole chain; the brand app
    reports its own backend's connection failures the same way."""
    reason: BaseException = error
    while (inner := reason.__cause__ or reason.__context__) is not None:
        reason = inner
    text = str(reason) or type(reason).__name__
    return text.split("] ", 1)[-1] if text.startswith("[Errno") else text


def _post(
    liveperson_url: str,
    account: str,
    action: str,
    body: dict[str, str] | None,
    presented: ConsumerToken | None,
    timeout: float,
) -> ConsumerToken:
    url = f"{liveperson_url.rstrip('/')}/api/account/{quote(account, safe='')}/{action}"
    headers = {"Authorization": f"jwt {presented.token}"} if presented is not None else {}
    try:
        response = requests.post(url, json=body, headers=headers, timeout=timeout)
    except requests.ConnectionError as error:
        reason = f"could not connect to LivePerson at {liveperson_url} ({connection_failure(error)})"
        raise AuthenticationError(LpError.SOCKET, "Connection failed", reason) from error
    except requests.Timeout as error:
        reason = f"LivePerson at {liveperson_url} did not answer within {timeout:g} s"
        raise AuthenticationError(LpError.TIMEOUT, "Timeout", reason) from error
    except requests.RequestException as error:
        reason = f"the request to LivePerson at {url} failed: {error}"
        raise AuthenticationError(LpError.UNKNOWN, "Request failed", reason) from error
    answer = _json_object(response)
    if response.status_code != 200:
        raise _refusal(response, answer, stepping_up=presented is not None and action == "authenticate")
    token = answer.get("jwt") if answer is not None else None
    try:
        if not isinstance(token, str):
            raise NotAConsumerToken("there is no jwt")
        return ConsumerToken.read(token)
    except NotAConsumerToken as error:
        raise AuthenticationError(
            LpError.UNKNOWN,
            "Unexpected answer",
            f"LivePerson's {action} answered 200 without a consumer token: {error}",
            status=response.status_code,
        ) from None


def _json_object(response: requests.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _refusal(
    response: requests.Response, body: dict[str, Any] | None, *, stepping_up: bool
) -> AuthenticationError:
    if body is None or not isinstance(body.get("message"), str):
        return AuthenticationError(
            LpError.UNKNOWN,
            f"HTTP {response.status_code}",
            f"LivePerson answered {response.status_code} without an error description "
            f"(is {response.url} LivePerson's IdP?)",
            status=response.status_code,
        )
    code, check = body.get("internalErrorCode"), body.get("check")
    kind = LpError.STEP_UP_FAILURE if stepping_up and check == STEP_UP_CHECK else LpError.IDP
    return AuthenticationError(
        kind,
        str(body.get("error") or f"HTTP {response.status_code}"),
        body["message"],
        code=str(code) if code is not None else None,
        status=response.status_code,
        check=str(check) if check is not None else None,
    )
