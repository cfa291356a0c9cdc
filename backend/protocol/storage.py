"""What the protocol needs from storage: the hooks the grant and client authentication call,
as Authlib's grants call theirs, so that no protocol module builds SQL or commits.

The backend's database implements them in `backend/store.py`. In RFC 6749 terms:

- `save_code`: an issued code and everything it is bound to (§4.1.2);
- `consume_code`: the redemption itself (§4.1.3), ONE atomic step that checks every binding,
  marks the code used and stores the access token; of concurrent calls for one code exactly
  one gets the grant (§4.1.2: a code is used once). The redirect URI binding is
  `redirection.token_accepts`: the code's own, or for a client of LivePerson's legacy
  connector any URI registered for it;
- `find_code`: the code as stored, read only to say why a redemption was refused;
- `revoke_tokens`: a reused code revokes the access token issued from it (§4.1.2, §10.5);
- `find_client`: a registered client (§2), for its secret hash, redirect URIs, PKCE policy and
  LivePerson connector version (`redirection.py`).
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
    """What the exchange reads back from the code it consumed, to write the id_token."""

    claims: dict[str, Any]
    nonce: str | None
    auth_time: datetime


class ClientStore(Protocol):
    def find_client(self, client_id: str) -> RegisteredClient | None: ...


class GrantStore(ClientStore, Protocol):
    def save_code(self, code: NewCode) -> None: ...

    def consume_code(self, redemption: Redemption) -> ConsumedCode | None:
        """The code's grant if every binding holds and the code was unused, else None and
        nothing changed. Atomic: concurrent calls for one code cannot both succeed."""
        ...

    def find_code(self, code_hash: str) -> StoredCode | None: ...

    def revoke_tokens(self, code_hash: str, at: datetime) -> None:
        """Revoke the access token issued from the code, if not revoked already."""
        ...
