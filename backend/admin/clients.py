"""Registered clients (LivePerson, for one brand account): created by the operator
(`create-client`, `seed-demo`), with the brand's API scopes they may be granted (Consumer
Delegation, `protocol/delegation.py`)."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from backend.admin import Refused
from backend.models import Client
from backend.models.base import digest
from backend.protocol.delegation import API_SCOPES
from backend.protocol.redirection import CONNECTORS, RFC_CONNECTOR

MIN_SECRET_LENGTH = 16
MAX_NAME_LENGTH = 100  # the column's


def redirect_uri_problem(uri: str) -> str | None:
    """RFC 6749 §3.1.2: absolute, no fragment; RFC 9700 §4.1: https, or http on loopback."""
    if any(character.isspace() for character in uri):
        return "a redirect URI must not contain spaces (it would never match exactly)."
    parts = urlsplit(uri)
    if parts.fragment or "#" in uri:
        return "a redirect URI must not have a fragment."
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1"):
        return None
    return "must be an absolute https URL (http only on loopback, for development)."


def register_client(db: Session, client_id: str, secret: str, redirect_uris: list[str], *,
                    pkce_required: bool, allow_plain_pkce: bool,
                    liveperson_connector: str = RFC_CONNECTOR,
                    delegation_scopes: list[str] | None = None, first_party: bool = False,
                    name: str | None = None, given_by: str = "--secret") -> Client:
    if not client_id or client_id != client_id.strip():
        # An empty id can never authenticate; stray spaces never match what LivePerson sends.
        raise Refused("--client-id", f"{client_id!r}: must be non-empty, without surrounding spaces.")
    if len(secret) < MIN_SECRET_LENGTH:
        raise Refused(given_by, f"at least {MIN_SECRET_LENGTH} characters.")
    for uri in redirect_uris:
        problem = redirect_uri_problem(uri)
        if problem:
            raise Refused("--redirect-uri", f"{uri!r}: {problem}")
    if liveperson_connector not in CONNECTORS:
        raise Refused("--liveperson-connector",
                      f"{liveperson_connector!r}: one of {', '.join(CONNECTORS)}.")
    delegation_scopes = list(dict.fromkeys(delegation_scopes or ()))  # each once, in order
    for scope in delegation_scopes:
        if scope not in API_SCOPES:
            raise Refused("--delegation-scope",
                          f"{scope!r}: the brand's API defines {', '.join(API_SCOPES)}.")
    if first_party and not delegation_scopes:
        raise Refused("--first-party", "it waives the consent to delegated scopes: give "
                      "--delegation-scope as well.")
    if name is not None and not (0 < len(name.strip()) <= MAX_NAME_LENGTH):
        raise Refused("--name", f"1 to {MAX_NAME_LENGTH} characters.")
    if db.get(Client, client_id) is not None:
        raise Refused(None, f"A client {client_id} already exists; nothing changed.")
    client = Client(client_id=client_id, secret_hash=digest(secret), redirect_uris=redirect_uris,
                    pkce_required=pkce_required, allow_plain_pkce=allow_plain_pkce,
                    liveperson_connector=liveperson_connector, delegation_scopes=delegation_scopes,
                    first_party=first_party, name=name and name.strip())
    db.add(client)
    db.commit()
    return client
