"""Finding the brand's endpoints: OpenID Connect Discovery 1.0 §4 from the issuer URL.

The document is the brand's word, and whoever answers at the issuer writes it. LivePerson's side
follows it only to the issuer's own origin (scheme, host and port): the token endpoint receives
the client secret, the JWKS decides which keys are trusted, userinfo receives the access token.
An endpoint on another host is refused unless that host is allowed (`--allow-host`), and an
https issuer is never followed to plain http. The pop-out window's authorization_endpoint is
not fetched by LivePerson's side (the customer's browser is sent there), so it is not checked.
"""

from __future__ import annotations

import argparse
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests

from shared.validation import brand_http
from shared.validation.errors import INPUT_VALIDATION, ValidationFailure
from shared.validation.safe_json import DOCUMENT_LIMIT, JsonRejected, loads

FOLLOWED = ("token_endpoint", "jwks_uri", "userinfo_endpoint")
_DEFAULT_PORTS = {"http": 80, "https": 443}

Origin = tuple[str, str, int]  # scheme, lower-case host, port


@dataclass(frozen=True)
class BrandEndpoints:
    issuer: str
    token_endpoint: str
    jwks_uri: str | None = None
    authorization_endpoint: str | None = None
    userinfo_endpoint: str | None = None
    # Endpoints of the document that are not followed (left None above), with the reason.
    refused: Mapping[str, str] = field(default_factory=dict)


def discover(
    issuer: str, timeout: float, allowed_hosts: Collection[str] = ()
) -> tuple[BrandEndpoints, dict[str, Any]]:
    """The brand's endpoints and the raw document; the issuer must match exactly (§4.3). A token
    endpoint that may not be followed fails discovery; a refused jwks_uri or userinfo_endpoint is
    left out, with its reason in `refused`, and fails only the step that needs it."""
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = brand_http.request("GET", url, timeout=timeout)
        document = loads(response.content, limit=DOCUMENT_LIMIT)
    except requests.RequestException as error:
        raise ValidationFailure(
            "discovery", INPUT_VALIDATION, f"Could not read the discovery document at {url}: {error}"
        ) from None
    except JsonRejected as error:
        raise ValidationFailure("discovery", INPUT_VALIDATION, f"The answer of {url} {error}.") from None
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
    refused: dict[str, str] = {}
    for name in FOLLOWED:
        reason = None if document.get(name) is None else refusal(name, document[name], issuer, allowed_hosts)
        if reason is not None:
            refused[name] = reason
    if "token_endpoint" in refused:
        raise ValidationFailure("discovery", INPUT_VALIDATION, refused["token_endpoint"])
    authorization_endpoint = document.get("authorization_endpoint")
    return BrandEndpoints(
        issuer=issuer,
        token_endpoint=document["token_endpoint"],
        jwks_uri=None if "jwks_uri" in refused else document.get("jwks_uri"),
        authorization_endpoint=authorization_endpoint if isinstance(authorization_endpoint, str) else None,
        userinfo_endpoint=None if "userinfo_endpoint" in refused else document.get("userinfo_endpoint"),
        refused=refused,
    ), document


def refusal(name: str, url: Any, issuer: str, allowed_hosts: Collection[str]) -> str | None:
    """Why LivePerson's side does not follow the document's `name` to `url`; None when it may."""
    target = _origin(url) if isinstance(url, str) else None
    if target is None:
        return f"The discovery document's {name} {url!r} is not an http or https URL."
    home = _origin(issuer)
    if target == home:
        return None
    if home is not None and home[0] == "https" and target[0] != "https":
        return (
            f"The discovery document's {name} {url} is plain http while the issuer is https: "
            "LivePerson's side does not follow it (anyone on the way could answer)."
        )
    if any(_matches(entry, target) for entry in allowed_hosts):
        return None
    return (
        f"The discovery document's {name} {url} is on {_text(target)}, not on the issuer's "
        f"{_text(home) if home else issuer}: LivePerson's side follows the document only to the "
        f"issuer's own scheme, host and port. If the brand really serves it there, allow it with "
        f"--allow-host {_entry(target)}."
    )


def host_of(url: str) -> str | None:
    """The --allow-host entry that allows `url`'s origin (None when `url` is not http(s))."""
    origin = _origin(url)
    return _entry(origin) if origin else None


def allowed_host(text: str) -> str:
    """An --allow-host value, HOST or HOST:PORT (a bare HOST means the scheme's default port)."""
    try:
        parts = urlsplit("//" + text.strip())
        port = parts.port
    except ValueError:
        parts, port = None, None
    if parts is None or not parts.hostname or parts.path or parts.query or parts.username:
        raise argparse.ArgumentTypeError(f"{text!r} is not HOST or HOST:PORT (e.g. login.brand.example:8443)")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{host}:{port}" if port is not None else host


def _origin(url: str) -> Origin | None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a port that is not a number, or out of range
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname, port or _DEFAULT_PORTS[scheme]


def _entry(origin: Origin) -> str:
    scheme, host, port = origin
    host = f"[{host}]" if ":" in host else host
    return host if port == _DEFAULT_PORTS[scheme] else f"{host}:{port}"


def _text(origin: Origin) -> str:
    return f"{origin[0]}://{_entry(origin)}"


def _matches(entry: str, origin: Origin) -> bool:
    scheme, host, port = origin
    try:
        parts = urlsplit("//" + entry)
        return parts.hostname == host and (parts.port or _DEFAULT_PORTS[scheme]) == port
    except ValueError:  # not HOST[:PORT]: allows nothing
        return False
