"""`GET /api/account/{account}/consumer/{consumerId}/brand/tokens`: LivePerson's Get Tokens API
("Consumer Delegation: Get Tokens API"), for a brand's server or a Messaging Agent SDK bot: the
delegated tokens of an authenticated consumer, `{"accessToken", "idToken"}`. `consumerId` is the
consumer's participant id in the conversation (the consumer token's `sub`). An access token that
has expired, or is about to, is refreshed first (`tokens.py`).

The caller presents an app installation's token, `Authorization: Bearer <token>` (`app_token.py`),
granted `delegated.token.read.external`.

Statuses: LivePerson documents 200, 400 ("consumer id missing or not valid"), 404 ("Tokens not
found for this account") and 500. The stand-in adds what any bearer-protected API answers
(RFC 6750 §3.1): 401 without a valid app token, 403 for one without the scope; and 502 when a
refresh was due and the brand did not answer it. The bodies are the IdP's refusals
(`idp/refusals.py`). Not cross-origin, unlike the IdP's other endpoints: only servers call it.
"""

from __future__ import annotations

import re

from flask import current_app, jsonify, request
from flask.typing import ResponseReturnValue

from shared import contract
from shared.liveperson.delegation import bp
from shared.liveperson.delegation.sentinel import AppTokenRefused
from shared.liveperson.delegation.tokens import BrandUnavailable, RefreshRefused
from shared.liveperson.idp.refusals import bad_input, refusal, unknown_account
from shared.validation.errors import BRAND_TIMEOUT, LivePersonError

UNAUTHORIZED = LivePersonError(None, "Unauthorized")
FORBIDDEN = LivePersonError(None, "Forbidden")
NOT_FOUND = LivePersonError(None, "Tokens not found")
# LivePerson's consumer ids: a UUID for a visitor, 64 hex digits for the brand's customer.
_CONSUMER_ID = re.compile(r"[0-9A-Za-z-]{1,64}")
_BEARER = "bearer "


@bp.get("/api/account/<account>/consumer/<consumer_id>/brand/tokens")
def get_tokens(account: str, consumer_id: str) -> ResponseReturnValue:
    served = current_app.extensions["standin"].account
    if account != served:
        return unknown_account(served, account[:64])
    refused = _unauthorized(served)
    if refused is not None:
        return refused
    if not _CONSUMER_ID.fullmatch(consumer_id):
        return bad_input("consumerId is a LivePerson consumer id: letters, digits and '-', 64 at most.",
                         check="consumer-id")
    try:
        held = current_app.extensions["delegated_tokens"].of_consumer(consumer_id)
    except RefreshRefused as brand_refused:
        return refusal(404, NOT_FOUND, f"The brand refused to renew the tokens, so they are deleted: "
                       f"{brand_refused}", "token-refresh")
    except BrandUnavailable as unavailable:
        return refusal(502, BRAND_TIMEOUT, f"The access token has expired and the brand did not renew "
                       f"it: {unavailable}", "token-refresh")
    if held is None:
        return refusal(404, NOT_FOUND, "No delegated tokens for this consumer: the brand delegated none "
                       "at its authentication, or its conversation has closed.", "tokens")
    return jsonify(accessToken=held.access_token, idToken=held.id_token)


def _unauthorized(account: str) -> ResponseReturnValue | None:
    """401 or 403 unless the request carries an app token with the scope (RFC 6750 §3)."""
    header = request.headers.get("Authorization", "")
    if header[: len(_BEARER)].lower() != _BEARER or not header[len(_BEARER) :].strip():
        return _challenge(401, UNAUTHORIZED, "Send Authorization: Bearer <app token> (POST "
                          f"/sentinel/api/v2/account/{account}/app/token).", "")
    try:
        scopes = current_app.extensions["app_tokens"].scopes(header[len(_BEARER) :].strip())
    except AppTokenRefused as refused:
        return _challenge(401, UNAUTHORIZED, str(refused), ', error="invalid_token"')
    if contract.DELEGATED_TOKEN_SCOPE not in scopes:
        return _challenge(403, FORBIDDEN, f"The app token lacks the scope {contract.DELEGATED_TOKEN_SCOPE}.",
                          f', error="insufficient_scope", scope="{contract.DELEGATED_TOKEN_SCOPE}"')
    return None


def _challenge(status: int, error: LivePersonError, message: str, attributes: str) -> ResponseReturnValue:
    return refusal(status, error, message, "app-token",
                   headers={"WWW-Authenticate": f'Bearer realm="liveperson"{attributes}'})
