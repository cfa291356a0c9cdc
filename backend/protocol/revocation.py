"""Token revocation: RFC 7009.

The client authenticates as at the token endpoint (§2.1, `client_auth.py`) and names a token it
was issued. A refresh token revokes its whole grant: every refresh token of its family and every
access token issued from the same code (§2.1: "SHOULD also invalidate all access tokens based on
the same authorization grant"). An access token revokes itself only (§2.1 leaves the refresh
token to the server: a client logging a customer's session out keeps its delegation).

`token_type_hint` says where to look first; the other kind is searched too (§2.1), and a hint
the server does not know is no hint. A token that is unknown, expired or already revoked is
answered like a revoked one (§2.2: 200), since the client can do nothing else about it; a token
issued to another client is refused (§2.1) and stays valid.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from backend.protocol import client_auth
from backend.protocol.bearer import digest
from backend.protocol.client_auth import ClientCredentials
from backend.protocol.errors import invalid_grant, invalid_request
from backend.protocol.storage import GrantStore

HINTS = ("refresh_token", "access_token")  # §4.1.2's registered values, in the default order


def revoke(store: GrantStore, credentials: ClientCredentials, form: Mapping[str, str]) -> None:
    """Revoke the token the request names, if it is this client's."""
    client = client_auth.authenticate(store, credentials)
    token = form.get("token")
    if token is None:
        raise invalid_request("The parameter 'token' is required (RFC 7009 §2.1).")
    token_hash = digest(token)
    now = datetime.now(UTC)
    hint = form.get("token_type_hint")
    for kind in sorted(HINTS, key=lambda kind: kind != hint):
        if kind == "refresh_token":
            refresh = store.find_refresh_token(token_hash)
            if refresh is not None:
                _check_owner(refresh.client_id, client.client_id)
                store.revoke_grant(refresh.code_hash, now)
                return
        else:
            access = store.find_access_token(token_hash)
            if access is not None:
                _check_owner(access.client_id, client.client_id)
                if access.revoked_at is None:  # else revoked already, maybe with its grant
                    store.revoke_access_token(token_hash, now)
                return


def _check_owner(issued_to: str, client_id: str) -> None:
    if issued_to != client_id:
        raise invalid_grant("The token was issued to another client (RFC 7009 §2.1).")
