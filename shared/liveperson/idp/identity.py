"""The consumer behind an IdP request's `Authorization: jwt <consumer token>` header, which
the stand-in reads for step-up (`authenticate.py`) and for extending an unauthenticated
identity (`signup.py`). LivePerson documents neither on the wire; the header is the one its
WebSocket takes ("Messaging Window API — Getting Started")."""

from __future__ import annotations

from flask import current_app, request

from shared.liveperson.idp.consumer_token import Identity

SCHEME = "jwt "


def presented_token() -> str | None:
    header = request.headers.get("Authorization")
    if header is None or not header.lower().startswith(SCHEME):
        return None
    return header[len(SCHEME) :].strip() or None


def read(token: str, *, allow_expired: bool = False) -> Identity:
    """The identity in `token`; `TokenRefused` when it is not one of ours (or has expired,
    unless `allow_expired`)."""
    return current_app.extensions["consumer_tokens"].read(token, allow_expired=allow_expired)
