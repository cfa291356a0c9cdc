"""Consumer Delegation: which scopes of the brand's API a client is granted, and when the customer
is asked first. RFC 6749 §3.3 (scope), OpenID Connect Core 1.0 §3.1.2.4 (consent), and
LivePerson's "Consumer Delegation" (the brand sets the scopes granted to the LivePerson client;
"a user consent page" is optional).

- The brand's API defines its scopes, `API_SCOPES`, with what the consent page says of each. A
  client is registered for some of them (`create-client --delegation-scope`); none means
  delegation is off for it.
- A request's scope is the identity scopes (`claims.py`) plus the API scopes the client is
  registered for; any other value is ignored (§3.3: the server may grant less than asked, and
  the token response's `scope` says what it granted).
- A grant that holds an API scope is a delegation: its code exchange also returns a refresh
  token (`code_grant.py`, `refresh_grant.py`).
- The customer allows a client its API scopes on the consent page, once: the consent is
  remembered per customer and client. A client registered as first-party for its API scopes
  (`create-client --first-party`) is never asked for; `prompt=consent` asks again. Where no page
  can be shown (the app API, `/api/liveperson/code`), only the API scopes already allowed are
  granted.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Protocol

ORDERS_READ = "orders.read"

API_SCOPES = {
    ORDERS_READ: "See your orders: what you bought, when, and where each one is.",
}


class DelegatingClient(Protocol):
    @property
    def delegation_scopes(self) -> list[str]: ...  # of API_SCOPES; empty: delegation is off
    @property
    def first_party(self) -> bool: ...  # its API scopes need no consent


def registered(client: DelegatingClient, requested: str) -> list[str]:
    """The API scopes of the space-separated `requested` that `client` is registered for."""
    words = requested.split()
    return [scope for scope in client.delegation_scopes if scope in words]


def delegated(scopes: Iterable[str]) -> list[str]:
    """The API scopes among `scopes`: a grant with any of them is a delegation."""
    return [scope for scope in scopes if scope in API_SCOPES]


def to_ask(client: DelegatingClient, scopes: Iterable[str], consented: Collection[str],
           again: bool = False) -> list[str]:
    """The API scopes the customer must allow before a code for `scopes` is issued: those not
    allowed to this client before (all of them `again`, for `prompt=consent`), none for a
    first-party client."""
    if client.first_party:
        return []
    return [scope for scope in delegated(scopes) if again or scope not in consented]


def without_asking(client: DelegatingClient, scopes: Iterable[str],
                   consented: Collection[str]) -> list[str]:
    """`scopes` less the API scopes that would need the consent page, where none can be shown."""
    scopes = list(scopes)
    asked = to_ask(client, scopes, consented)
    return [scope for scope in scopes if scope not in asked]
