"""Client authentication at the token endpoint: RFC 6749 §2.3.1.

Both methods LivePerson's documentation shows are accepted: `client_secret_basic` (HTTP Basic,
client id and secret form-urlencoded first) and `client_secret_post` (both in the body).
"""

from __future__ import annotations

import base64
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote_plus

from backend.protocol import parameters
from backend.protocol.bearer import digest
from backend.protocol.errors import InvalidClient, invalid_request
from backend.protocol.storage import ClientStore, RegisteredClient

METHODS = ("client_secret_basic", "client_secret_post")


@dataclass(frozen=True)
class ClientCredentials:
    client_id: str
    client_secret: str
    method: str


def credentials(authorization: str | None, form: Mapping[str, str]) -> ClientCredentials:
    """Read the client's credentials; §2.3: a client MUST NOT use more than one method."""
    if authorization is not None and authorization[:6].lower() == "basic ":
        if "client_secret" in form:
            raise invalid_request("Send the client secret either in Basic or in the body, not both.")
        client_id, secret = _basic(authorization[6:].strip())
        if form.get("client_id", client_id) != client_id:
            raise invalid_request("client_id in the body differs from the Basic credentials.")
        return ClientCredentials(client_id, secret, "client_secret_basic")
    if "client_id" in form and "client_secret" in form:
        return ClientCredentials(form["client_id"], form["client_secret"], "client_secret_post")
    raise InvalidClient(
        "Client authentication is required: HTTP Basic, or client_id and client_secret in the body.",
        used_basic=False,
    )


def _basic(encoded: str) -> tuple[str, str]:
    try:
        decoded = base64.b64decode(encoded, validate=True).decode()
    except ValueError:  # binascii.Error, UnicodeDecodeError, and non-ASCII header text
        raise InvalidClient("The Basic credentials are not valid base64.", used_basic=True) from None
    client_id, colon, secret = decoded.partition(":")
    if not colon or not client_id:
        raise InvalidClient("The Basic credentials must be client_id:client_secret.", True)
    client_id, secret = unquote_plus(client_id), unquote_plus(secret)
    reason = parameters.problem("client_id", client_id) or parameters.problem("client_secret", secret)
    if reason is not None:
        raise invalid_request(reason)
    return client_id, secret


def authenticate(store: ClientStore, creds: ClientCredentials) -> RegisteredClient:
    """The registered client, if the secret matches (compared in constant time)."""
    client = store.find_client(creds.client_id)
    # Hash even for an unknown client, so timing does not reveal which client ids exist.
    offered = digest(creds.client_secret)
    expected = client.secret_hash if client is not None else digest("")
    if client is None or not hmac.compare_digest(offered, expected):
        raise InvalidClient(
            "Unknown client or wrong client secret.",
            used_basic=creds.method == "client_secret_basic",
        )
    return client
