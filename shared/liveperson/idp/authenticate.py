"""`POST /api/account/{account}/authenticate`: the brand's customer, with the code or JWT the
brand's page or app handed the SDK (`handover.py`), answered `{"jwt": ...}` ("Messaging Window
API — Tutorials — Authentication").

The code is redeemed at the brand's token endpoint, or the JWT taken as it is, and the id_token
validated as LivePerson validates it (`shared/validation/authenticate.py`); the inspector keeps
every exchange, check by check. The consumer is the brand's customer (`iss`, `sub`): the same
consumer, hence the same open conversation, at every authentication, with the claims and
`lp_sdes` of the latest one for the agent to see. Its token expires when the id_token does.

Consumer Delegation ("Consumer Delegation: Settings Configuration": "the access_token is to be
sent over the Token Endpoint alongside with id_token and a refresh_token"): when the code
exchange answers a refresh_token, the brand's tokens are kept with the consumer, sealed
(delegation/tokens.py), for the Get Tokens API and the bot.

Step-up (LivePerson's "Step Up Authentication overview": a conversation started unauthenticated
goes on authenticated, with its history): the SDK sends the unauthenticated consumer's token in
`Authorization: jwt <token>` (LivePerson does not document where its SDKs put it), and that
consumer's open conversation becomes the customer's. A token that is not a valid unauthenticated
one is refused before the brand is called, so no code is spent on a failed step-up.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from flask import current_app, jsonify, request
from flask.typing import ResponseReturnValue

from shared.liveperson.idp import bp, handover, identity
from shared.liveperson.idp.consumer_token import Identity, TokenRefused
from shared.liveperson.idp.refusals import bad_input, refusal
from shared.validation.authenticate import Exchange
from shared.validation.errors import INPUT_VALIDATION, LIVEPERSON_JWT_NOT_VALID, LivePersonError
from shared.validation.token_exchange import Grant

# What the id_token says about the token itself rather than the customer: not kept.
_PROTOCOL_CLAIMS = (
    "iss",
    "aud",
    "exp",
    "iat",
    "nbf",
    "nonce",
    "auth_time",
    "azp",
    "at_hash",
    "c_hash",
    "jti",
)


@bp.post("/authenticate")
def authenticate() -> ResponseReturnValue:
    body = request.stream.read(handover.BODY_LIMIT + 1)
    if len(body) > handover.BODY_LIMIT:
        return refusal(
            413, INPUT_VALIDATION, f"The body is larger than {handover.BODY_LIMIT} bytes.", "input"
        )
    try:
        given = handover.read(body)
    except handover.BadHandover as error:
        return bad_input(str(error))
    stepping_up = None
    if (token := identity.presented_token()) is not None:
        try:
            stepping_up = identity.read(token)
        except TokenRefused as refused:
            return refusal(401, LIVEPERSON_JWT_NOT_VALID, f"Step-up: {refused.message}", "step-up")
        if stepping_up.authenticated:
            return refusal(
                400,
                LIVEPERSON_JWT_NOT_VALID,
                "Step-up starts from an unauthenticated consumer's token; this one is authenticated.",
                "step-up",
            )
    extensions = current_app.extensions
    exchange, grant = _validate(given)
    extensions["exchanges"].record(exchange)
    if exchange.result is None:
        failure = exchange.failure or {}
        return refusal(
            401,
            LivePersonError(failure.get("code"), str(failure.get("error"))),
            str(failure.get("message")),
            failure.get("check"),
        )
    claims = exchange.result["claims"]
    brand = (claims["iss"], claims["sub"])
    consumer = extensions["store"].authenticated(
        consumer_id(*brand),
        *brand,
        claims={name: value for name, value in claims.items() if name not in _PROTOCOL_CLAIMS},
        sdes=claims.get("lp_sdes") or [],
    )
    if grant is not None and grant.refresh_token is not None:
        session_ends_at = datetime.fromtimestamp(claims["exp"], UTC)
        extensions["delegated_tokens"].keep_for_consumer(consumer.id, grant, session_ends_at)
    if stepping_up is not None:
        stepped = extensions["store"].step_up(stepping_up.consumer_id, consumer.id)
        if stepped is not None:
            extensions["hub"].conversation_changed(stepped, stepping_up.consumer_id)
    return jsonify(jwt=extensions["consumer_tokens"].issue(Identity(consumer.id, brand, claims["exp"])))


def consumer_id(iss: str, sub: str) -> str:
    """LivePerson's id for the brand's customer: the same at every authentication, 64 hex digits
    as in the tokens its tutorial shows, and not the brand's `sub` itself."""
    return hashlib.sha256(f"{iss}\n{sub}".encode()).hexdigest()


def _validate(given: handover.Handover) -> tuple[Exchange, Grant | None]:
    """The exchange, and what the brand granted besides the id_token (code flow only)."""
    authenticator = current_app.extensions["authenticator"]
    if given.jwt is not None:
        return authenticator.with_jwt(given.jwt, channel=given.channel), None
    assert given.code is not None
    settings = current_app.extensions["standin"]
    return authenticator.with_code(
        given.code, given.redirect_uri or settings.redirect_uri, given.code_verifier, channel=given.channel
    )
