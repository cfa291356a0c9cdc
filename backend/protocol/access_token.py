"""An access token presented at a protected resource (userinfo, the brand's API): RFC 6750.

- It is valid while it is known, unexpired and unrevoked, itself or its grant (RFC 7009).
- A resource that needs a scope refuses a token without it: 403 `insufficient_scope` (§3.1).
- Refusals carry the `WWW-Authenticate: Bearer` challenge (§3): without an error code when the
  request carried no token (§3.1), with `scope` when the scope was missing.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from backend.protocol.bearer import digest
from backend.protocol.errors import (
    InsufficientScope,
    OAuthError,
    invalid_token,
    token_required,
)
from backend.protocol.storage import AccessTokenStore, StoredAccessToken

# §3: what an attribute's quoted value may hold (%x20-21 / %x23-5B / %x5D-7E); a description
# that names a parameter from the request could hold anything else.
_UNQUOTABLE = re.compile(r"[^\x20\x21\x23-\x5b\x5d-\x7e]")


def check(store: AccessTokenStore, token: str | None, scope: str | None = None) -> StoredAccessToken:
    """The stored token, if it may be used (for `scope`, when the resource needs one)."""
    if token is None:
        raise token_required("An access token is required.")
    stored = store.find_access_token(digest(token))
    if (stored is None or stored.revoked_at is not None or stored.expires_at is None
            or stored.expires_at <= datetime.now(UTC)):
        raise invalid_token("The access token is unknown, expired or revoked.")
    if scope is not None and scope not in stored.scopes:
        raise InsufficientScope(scope)
    return stored


def challenge(realm: str, error: OAuthError) -> str:
    """The `WWW-Authenticate` value that answers `error` at the resource `realm` (§3)."""
    value = f'Bearer realm="{realm}"'
    if error.error is not None:
        description = _UNQUOTABLE.sub("?", error.description)
        value += f', error="{error.error}", error_description="{description}"'
    if isinstance(error, InsufficientScope):
        value += f', scope="{error.scope}"'
    return value
