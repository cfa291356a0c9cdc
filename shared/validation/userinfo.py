"""The optional userinfo call LivePerson may make with the access token (OpenID Connect Core §5.3)."""

from __future__ import annotations

from typing import Any

import requests

from shared.validation import brand_http
from shared.validation.errors import AUTH_FAILED, ValidationFailure
from shared.validation.safe_json import DOCUMENT_LIMIT, JsonRejected, loads


def fetch_userinfo(url: str, access_token: str, *, sub: str, timeout: float) -> dict[str, Any]:
    try:
        response = brand_http.request("GET", url, headers={"Authorization": f"Bearer {access_token}"},
                                     timeout=timeout)
        claims = loads(response.content, limit=DOCUMENT_LIMIT)
    except requests.RequestException as error:
        raise ValidationFailure(
            "userinfo", AUTH_FAILED, f"The userinfo endpoint did not answer: {error}"
        ) from None
    except JsonRejected as error:
        raise ValidationFailure("userinfo", AUTH_FAILED, f"The userinfo endpoint's answer {error}.") from None
    if response.status_code != 200 or not isinstance(claims, dict):
        raise ValidationFailure(
            "userinfo",
            AUTH_FAILED,
            f"The userinfo endpoint refused the access token: HTTP {response.status_code}.",
        )
    if claims.get("sub") != sub:
        raise ValidationFailure(
            "userinfo",
            AUTH_FAILED,
            f"userinfo sub {claims.get('sub')!r} differs from the id_token's {sub!r} "
            "(OpenID Connect Core §5.3.2).",
        )
    return claims
