"""Which redirect URI a request may use: RFC 6749 §3.1.2 and RFC 9700 §2.1 (registered URIs,
compared as exact strings) and §4.1.3 (the token request repeats the authorization request's
URI), with the one exception LivePerson's legacy connector needs, for a client registered for it.

LivePerson's OAuth connector has two versions ("Consumer Authentication — Configuration"):

- `oauth2`, "OAuth 2 RFC", the default of every connector created since Unified Window 9.3.0
  (May 2018). The pop-out window's address is the redirect_uri of the authorization request
  and of the token request; the window's parameters travel in `state`. Every rule is exact.
- `openid`, the legacy version. The window's parameters travel as a query added to the
  window's address (`.../le_unified_window/index.html?lpUnifiedWindowConfig=...`), and the
  token request sends one redirect_uri of its own: the page's, or `https://liveperson.net`.
  Its implicit flow asks for `response_type=token` where the RFC version asks for `id_token`.

For an `openid` client only: the authorization request may use a registered URI that has no
query plus a query (`authorization_problem`); the response goes to that whole URI. The token
request may use any URI registered for the client, not only the authorization request's
(`token_accepts`; the store's consuming UPDATE checks the same in SQL). Every other client
keeps exact matching and the code's binding to its redirect URI.
"""

from __future__ import annotations

from typing import Protocol
from urllib.parse import parse_qsl

from shared.contract import CONNECTORS as CONNECTORS
from shared.contract import LEGACY_CONNECTOR as LEGACY_CONNECTOR
from shared.contract import RFC_CONNECTOR as RFC_CONNECTOR

# What the authorization response adds to the redirect URI (RFC 6749 §4.1.2, §4.2.2, §4.1.2.1,
# RFC 9207, OpenID Connect Core §3.2.2.5, Session Management §2). A window query carrying one
# of them would put a value of the requester's choosing beside the real one: code injection.
RESPONSE_PARAMETERS = frozenset({
    "code", "state", "id_token", "access_token", "token", "token_type", "expires_in", "scope",
    "error", "error_description", "error_uri", "iss", "session_state",
})


class ConnectorClient(Protocol):
    @property
    def redirect_uris(self) -> list[str]: ...
    @property
    def liveperson_connector(self) -> str: ...  # one of CONNECTORS


def is_legacy(client: ConnectorClient) -> bool:
    return client.liveperson_connector == LEGACY_CONNECTOR


def authorization_problem(client: ConnectorClient, client_id: str, uri: str) -> str | None:
    """Why `uri` cannot receive the client's authorization response, as the error page's
    sentence, or None. §3.1.2.2: registered, compared exactly; for a legacy client, also a
    registered URI without a query, plus the window's query."""
    if uri in client.redirect_uris:
        return None
    unregistered = (f"The redirect_uri {uri!r} is not registered for client {client_id!r} "
                    "(registered URIs are compared exactly")
    if not is_legacy(client):
        return unregistered + ")."
    # Split at the first "?": what precedes it has no query, so a match is a URI registered
    # without one, and scheme, host, port and path are that URI's, character for character.
    base, question_mark, query = uri.partition("?")
    if not question_mark or base not in client.redirect_uris:
        return (unregistered + "; for LivePerson's legacy openID connector, a registered URI "
                "without a query may carry one).")
    return _window_query_problem(uri, query)


def _window_query_problem(uri: str, query: str) -> str | None:
    if not query:
        return f"The redirect_uri {uri!r} ends with an empty query."
    if "#" in query:
        return f"The redirect_uri {uri!r} has a fragment (RFC 6749 §3.1.2)."
    # What a browser would send percent-encoded: sent raw, it would not survive the Location header.
    if not (query.isascii() and query.isprintable()) or " " in query:
        return (f"The redirect_uri {uri!r} has spaces, control or non-ASCII characters in its "
                "query: percent-encode them.")
    added = {name for name, _ in parse_qsl(query, keep_blank_values=True)} & RESPONSE_PARAMETERS
    if added:
        return (f"The redirect_uri's query carries {', '.join(sorted(added))}, which only the "
                "authorization response may set.")
    return None


def token_accepts(client: ConnectorClient, issued_for: str, presented: str) -> bool:
    """§4.1.3: the token request's redirect_uri is the one the code was issued for; for a
    legacy client, it may instead be any URI registered for the client, exactly."""
    return presented == issued_for or (is_legacy(client) and presented in client.redirect_uris)
