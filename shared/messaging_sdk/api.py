"""The one LivePerson call the SDK makes: `POST /api/account/<account>/authenticate`.

The SDK forwards what the host app supplied (code + redirect URI [+ code verifier], or the JWT)
with `"channel": "mobile"`; LivePerson redeems or validates it with the brand and answers with
the conversation. Every way this can go wrong ends as an `AuthenticationError`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import requests

from shared.messaging_sdk.authentication import AuthenticationParams, AuthType
from shared.messaging_sdk.conversation import Conversation
from shared.messaging_sdk.errors import AuthenticationError

CHANNEL = "mobile"


def request_body(params: AuthenticationParams) -> dict[str, str]:
    if params.host_app_jwt is not None:
        return {"jwt": params.host_app_jwt, "channel": CHANNEL}
    assert params.auth_key is not None and params.host_app_redirect_uri is not None
    body = {"authCode": params.auth_key, "redirect_uri": params.host_app_redirect_uri, "channel": CHANNEL}
    if params.code_verifier is not None:
        body["code_verifier"] = params.code_verifier
    return body


def authenticate(
    liveperson_url: str, account: str, params: AuthenticationParams, timeout: float
) -> Conversation:
    """Authenticate an AUTH customer; raise `AuthenticationError` with LivePerson's reason."""
    if params.type is not AuthType.AUTH:
        raise ValueError("only an AUTH customer is authenticated with LivePerson")
    url = f"{liveperson_url.rstrip('/')}/api/account/{quote(account, safe='')}/authenticate"
    try:
        response = requests.post(url, json=request_body(params), timeout=timeout)
    except requests.ConnectionError as error:
        reason = f"could not connect to LivePerson at {liveperson_url} ({connection_failure(error)})"
        raise AuthenticationError(None, "Connection failed", reason) from error
    except requests.Timeout as error:
        raise AuthenticationError(
            None, "Timeout", f"LivePerson at {liveperson_url} did not answer within {timeout:g} s"
        ) from error
    except requests.RequestException as error:
        raise AuthenticationError(
            None, "Request failed", f"the request to LivePerson at {url} failed: {error}"
        ) from error
    body = _json_object(response)
    if response.status_code != 200:
        raise _refusal(response, body)
    return _conversation(body, response)


def connection_failure(error: requests.ConnectionError) -> str:
    """The innermost reason ("Connection refused"), not urllib3's whole chain; the brand app
    reports its own backend's connection failures the same way."""
    reason: BaseException = error
    while (inner := reason.__cause__ or reason.__context__) is not None:
        reason = inner
    text = str(reason) or type(reason).__name__
    return text.split("] ", 1)[-1] if text.startswith("[Errno") else text


def _json_object(response: requests.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _refusal(response: requests.Response, body: dict[str, Any] | None) -> AuthenticationError:
    if body is None or not isinstance(body.get("message"), str):
        return AuthenticationError(
            None,
            f"HTTP {response.status_code}",
            f"LivePerson answered {response.status_code} without an error description "
            f"(is {response.url} LivePerson's authenticate endpoint?)",
            response.status_code,
        )
    code = body.get("code")
    return AuthenticationError(
        str(code) if code is not None else None,
        str(body.get("error") or f"HTTP {response.status_code}"),
        body["message"],
        response.status_code,
    )


def _conversation(body: dict[str, Any] | None, response: requests.Response) -> Conversation:
    if (
        body is None
        or not isinstance(body.get("conversation_id"), str)
        or not isinstance(body.get("sub"), str)
        or not isinstance(body.get("expires_at"), int)
    ):
        raise AuthenticationError(
            None,
            "Unexpected answer",
            "LivePerson accepted the customer but its answer lacks conversation_id, sub or expires_at",
            response.status_code,
        )
    return Conversation(
        conversation_id=body["conversation_id"],
        type=AuthType.AUTH,
        sub=body["sub"],
        flow=body.get("flow") if isinstance(body.get("flow"), str) else None,
        expires_at=body["expires_at"],
        claims=body.get("claims") if isinstance(body.get("claims"), dict) else {},
        sdes=body.get("sdes") if isinstance(body.get("sdes"), dict) else {},
    )
