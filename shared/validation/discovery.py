"""Finding the brand's endpoints: OpenID Connect Discovery 1.0 §4 from the issuer URL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

from shared.validation.errors import INPUT_VALIDATION, ValidationFailure


@dataclass(frozen=True)
class BrandEndpoints:
    issuer: str
    token_endpoint: str
    jwks_uri: str | None = None
    authorization_endpoint: str | None = None
    userinfo_endpoint: str | None = None


def discover(issuer: str, timeout: float) -> tuple[BrandEndpoints, dict[str, Any]]:
    """The brand's endpoints and the raw document; the issuer must match exactly (§4.3)."""
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=timeout)
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise ValidationFailure(
            "discovery", INPUT_VALIDATION, f"Could not read the discovery document at {url}: {error}"
        ) from None
    if response.status_code != 200 or not isinstance(document, dict):
        raise ValidationFailure(
            "discovery", INPUT_VALIDATION, f"{url} answered HTTP {response.status_code}, not a JSON document."
        )
    if document.get("issuer") != issuer:
        raise ValidationFailure(
            "discovery",
            INPUT_VALIDATION,
            f"The discovery document says issuer {document.get('issuer')!r}, but it was fetched for "
            f"{issuer!r}; they must be identical (OpenID Connect Discovery §4.3).",
        )
    if not isinstance(document.get("token_endpoint"), str):
        raise ValidationFailure(
            "discovery", INPUT_VALIDATION, "The discovery document has no token_endpoint."
        )
    return BrandEndpoints(
        issuer=issuer,
        token_endpoint=document["token_endpoint"],
        jwks_uri=document.get("jwks_uri"),
        authorization_endpoint=document.get("authorization_endpoint"),
        userinfo_endpoint=document.get("userinfo_endpoint"),
    ), document
