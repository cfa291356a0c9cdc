"""`POST /api/account/{account}/signup`: an unauthenticated consumer ("Messaging Window API —
Getting Started": a plain POST, no body, answered `{"jwt": ...}`).

Refused when the account does not allow unauthenticated messaging (LivePerson's
`Messaging.Un_Auth_Messaging` feature; the stand-in's `--no-unauthenticated-messaging`).

Extending: the socket of an unauthenticated consumer closes with 4407 when its token expires,
and LivePerson's "Protocol Overview" says to ask the IdP to extend the identity, without naming
the call. Here it is this one, with the expired token in `Authorization: jwt <token>`: the same
consumer, so the same conversation, gets a new token, for up to `REFRESH_WINDOW` after it expired
(then 2001, "Unauthenticated JWT refresh expired", and the consumer signs up anew).
"""

from __future__ import annotations

import time

from flask import current_app, jsonify
from flask.typing import ResponseReturnValue

from shared.liveperson.idp import bp, identity
from shared.liveperson.idp.consumer_token import Identity, TokenRefused
from shared.liveperson.idp.refusals import refusal
from shared.validation.errors import (
    LIVEPERSON_JWT_NOT_VALID,
    UNAUTHENTICATED_REFRESH_EXPIRED,
    UNSUPPORTED_AUTH_TYPE,
)

REFRESH_WINDOW = 30 * 24 * 3600  # seconds after expiry an unauthenticated identity can be extended


@bp.post("/signup")
def signup() -> ResponseReturnValue:
    settings = current_app.extensions["standin"]
    if not settings.unauthenticated_messaging:
        return refusal(
            403,
            UNSUPPORTED_AUTH_TYPE,
            "This account does not allow unauthenticated messaging: "
            "the brand must authenticate the customer (authenticate, with its code or JWT).",
            "unauthenticated-messaging",
        )
    expires_at = int(time.time()) + settings.unauthenticated_lifetime
    token = identity.presented_token()
    if token is None:
        consumer = current_app.extensions["store"].new_unauthenticated()
        return _answer(Identity(consumer.id, None, expires_at))
    try:
        held = identity.read(token, allow_expired=True)
    except TokenRefused as refused:
        return refusal(401, LIVEPERSON_JWT_NOT_VALID, refused.message, "consumer-token")
    if held.authenticated:
        return refusal(
            400,
            UNSUPPORTED_AUTH_TYPE,
            "An authenticated consumer's token is renewed with a fresh "
            "code or JWT from the brand (authenticate), not extended.",
            "consumer-token",
        )
    if held.expires_at + REFRESH_WINDOW < time.time():
        return refusal(
            401,
            UNAUTHENTICATED_REFRESH_EXPIRED,
            "The identity expired too long ago to be extended; sign up without it for a new one.",
            "consumer-token",
        )
    return _answer(Identity(held.consumer_id, None, expires_at))


def _answer(new: Identity) -> ResponseReturnValue:
    return jsonify(jwt=current_app.extensions["consumer_tokens"].issue(new))
