"""`POST /sentinel/api/v2/account/{account}/app/token`: an app installation's token by client
credentials, as LivePerson's "OAuth 2.0 Client Credentials" page shows it: form-encoded
`client_id`, `client_secret` and `grant_type=client_credentials`, answered
`{"access_token": <JWT>, "token_type": "Bearer"}` (and `expires_in`, RFC 6749 §5.1). The token is
what the Get Tokens API asks for (`get_tokens.py`); `sentinel.py` makes it.

Errors are RFC 6749 §5.2's JSON, as at any token endpoint: `invalid_request` (400; 413 for a body
over `BODY_LIMIT`), `invalid_client` (401), `unsupported_grant_type` (400); 404 for another account.
Not cross-origin: an app installation is a server, never a web page.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from flask import current_app, jsonify, request
from flask.typing import ResponseReturnValue

from shared.liveperson.delegation import bp
from shared.liveperson.delegation.sentinel import LIFETIME

BODY_LIMIT = 4096  # bytes; three short parameters
_MAX_FIELDS = 10
GRANT_TYPE = "client_credentials"


@bp.post("/sentinel/api/v2/account/<account>/app/token")
def app_token(account: str) -> ResponseReturnValue:
    served = current_app.extensions["standin"].account
    if account != served:
        return _error(404, "invalid_request", f"This stand-in serves account {served}, not {account[:64]!r}.")
    if request.mimetype != "application/x-www-form-urlencoded":
        return _error(400, "invalid_request", "Send the form as application/x-www-form-urlencoded.")
    body = request.stream.read(BODY_LIMIT + 1)
    if len(body) > BODY_LIMIT:
        return _error(413, "invalid_request", f"The body is larger than {BODY_LIMIT} bytes.")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=_MAX_FIELDS)
    except (UnicodeDecodeError, ValueError):
        return _error(400, "invalid_request", "The body is not a form of a few UTF-8 parameters.")
    form = dict(pairs)
    if len(form) != len(pairs):  # RFC 6749 §3.2: "MUST NOT be included more than once"
        return _error(400, "invalid_request", "A parameter is repeated.")
    tokens = current_app.extensions["app_tokens"]
    if not tokens.authenticates(form.get("client_id", ""), form.get("client_secret", "")):
        return _error(401, "invalid_client", "Unknown client_id, or the wrong client_secret.")
    if form.get("grant_type") != GRANT_TYPE:
        return _error(400, "unsupported_grant_type", f"Send grant_type={GRANT_TYPE}.")
    return jsonify({"access_token": tokens.issue(), "token_type": "Bearer", "expires_in": LIFETIME})


def _error(status: int, error: str, description: str) -> ResponseReturnValue:
    return jsonify(error=error, error_description=description), status
