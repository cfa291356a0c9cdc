"""What the protocol needs from storage: the hooks the grants, revocation and the resources call,
as Authlib's grants call theirs, so that no protocol module builds SQL or commits.

The backend's database implements them in `backend/store.py`. In RFC 6749 terms:

- `save_code`: an issued code and everything it is bound to (§4.1.2);
- `consume_code`: the redemption itself (§4.1.3), ONE atomic step that checks every binding,
  marks the code used and stores the access token; of concurrent calls for one code exactly
  one gets the grant (§4.1.2: a code is used once). The redirect URI binding is
  `redirection.token_accepts`: the code's own, or for a client of LivePerson's legacy
  connector any URI registered for it;
- `find_code`: the code as stored, read only to say why a redemption was refused;
- `save_refresh_token`: the first refresh token of a delegated grant (§5.1), issued with the
  code exchange;
- `rotate_refresh_token`: a refresh (§6), ONE atomic step that checks the token, marks it spent
  and stores its successor with the new access token; of concurrent calls for one token
  exactly one succeeds (RFC 9700 §4.14.2, rotation);
- `find_refresh_token`, `find_access_token`: a token as stored, to say why it was refused, to
  revoke it (RFC 7009), and to serve a resource (RFC 6750);
- `revoke_grant`: every token issued from a code, the access tokens and the refresh token
  family (§4.1.2 and §10.5 on code reuse, RFC 9700 §4.14.2 on refresh token reuse, RFC 7009
  §2.1); `revoke_access_token`: one access token (RFC 7009);
- `find_client`: a registered client (§2), for its secret hash, redirect URIs, PKCE policy,
  LivePerson connector version (`redirection.py`) and delegation (`delegation.py`).

A grant is named by the hash of the code it came from: the refresh tokens of one grant are
its family, and the code's row tells whether the grant is revoked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


class RegisteredClient(Protocol):
    @property
    def client_id(self) -> str: ...
    @property
    def secret_hash(self) -> str: ...  # bearer.digest of the secret
    @property
    def redirect_uris(self) -> list[str]: ...  # compared exactly (RFC 9700 §2.1)
    @property
    def pkce_required(self) -> bool: ...
    @property
    def allow_plain_pkce(self) -> bool: ...
    @property
    def liveperson_connector(self) -> str: ...  # redirection.CONNECTORS
    @property
    def delegation_scopes(self) -> list[str]: ...  # delegation.API_SCOPES it may be granted
    @property
    def first_party(self) -> bool: ...  # its API scopes need no consent
    @property
    def display_name(self) -> str: ...  # what customers read on the consent page


class StoredCode(Protocol):
    """A code as stored, for the refusal reasons (§5.2)."""

    @property
    def client_id(self) -> str: ...
    @property
    def redirect_uri(self) -> str: ...
    @property
    def expires_at(self) -> datetime: ...
    @property
    def consumed_at(self) -> datetime | None: ...
    @property
    def code_challenge(self) -> str | None: ...
    @property
    def code_challenge_method(self) -> str | None: ...


@dataclass(frozen=True)
class NewCode:
    """An issued code, stored under its hash only."""

    code_hash: str
    client_id: str
    user_id: int
    redirect_uri: str
    scope: str
    # The claims the scope releases, as of the authentication: the exchange signs them
    # without reading the user.
    claims: dict[str, Any]
    auth_time: datetime
    expires_at: datetime
    nonce: str | None = None
    code_challenge: str | None = None
    code_challenge_method: str | None = None


@dataclass(frozen=True)
class Redemption:
    """A token request's claim to a code: every binding the consuming step must match, and the
    access token it stores when it does."""

    code_hash: str
    client_id: str
    secret_hash: str
    redirect_uri: str
    now: datetime  # the code must expire after it
    # RFC 7636 §4.6: the challenge the verifier answers under each method; None when the
    # request has no verifier, and then the code must have been issued without a challenge.
    challenges: Mapping[str, str] | None
    access_token_hash: str
    access_token_expires_at: datetime


@dataclass(frozen=True)
class ConsumedCode:
    """What the exchange reads back from the code it consumed, to write the tokens."""

    code_hash: str  # the grant's name
    claims: dict[str, Any]
    nonce: str | None
    auth_time: datetime
    scope: str
    user_id: int


@dataclass(frozen=True)
class NewRefreshToken:
    """A refresh token, stored under its hash only, in the family of the grant `code_hash`."""

    token_hash: str
    code_hash: str
    client_id: str
    user_id: int
    scope: str  # the grant's; every token of the family keeps it (§6)
    expires_at: datetime


@dataclass(frozen=True)
class Refreshing:
    """A refresh request's claim to a refresh token (§6), and what the rotating step stores
    when it holds: the successor and the new access token."""

    token_hash: str
    client_id: str
    secret_hash: str
    now: datetime  # the token must expire after it
    successor_hash: str
    successor_expires_at: datetime
    access_token_hash: str
    access_token_expires_at: datetime
    # The access token's scope when narrowed (§6), None for the grant's whole scope.
    access_token_scope: str | None


@dataclass(frozen=True)
class Rotated:
    """What the refresh reads back from the token it spent."""

    scope: str  # the grant's


@dataclass(frozen=True)
class StoredRefreshToken:
    code_hash: str  # its grant
    client_id: str
    scope: str
    expires_at: datetime
    used_at: datetime | None  # spent by a rotation; kept to recognise its reuse
    grant_revoked_at: datetime | None


@dataclass(frozen=True)
class StoredAccessToken:
    client_id: str
    user_id: int
    user: Any  # the customer it acts for: claims.Claimant
    scopes: list[str]
    expires_at: datetime | None
    revoked_at: datetime | None  # itself, or its whole grant


class ClientStore(Protocol):
    def find_client(self, client_id: str) -> RegisteredClient | None: ...


class AccessTokenStore(Protocol):
    def find_access_token(self, token_hash: str) -> StoredAccessToken | None: ...


class GrantStore(ClientStore, AccessTokenStore, Protocol):
    def save_code(self, code: NewCode) -> None: ...

    def consume_code(self, redemption: Redemption) -> ConsumedCode | None:
        """The code's grant if every binding holds and the code was unused, else None and
        nothing changed. Atomic: concurrent calls for one code cannot both succeed."""
        ...

    def find_code(self, code_hash: str) -> StoredCode | None: ...

    def save_refresh_token(self, token: NewRefreshToken) -> None: ...

    def rotate_refresh_token(self, refreshing: Refreshing) -> Rotated | None:
        """The grant if the token is the client's, unspent, unexpired and its grant not revoked,
        with the token now spent and its successor stored; else None and nothing changed.
        Atomic: concurrent calls for one token cannot both succeed."""
        ...

    def find_refresh_token(self, token_hash: str) -> StoredRefreshToken | None: ...

    def revoke_grant(self, code_hash: str, at: datetime) -> None:
        """Revoke every token issued from the code, if not revoked already."""
        ...

    def revoke_access_token(self, token_hash: str, at: datetime) -> None: ...
