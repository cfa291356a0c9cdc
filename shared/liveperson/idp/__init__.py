"""LivePerson's IdP for one account: where a consumer gets the token its WebSocket presents.

- `signup.py`: `POST /api/account/{account}/signup`, an unauthenticated consumer;
- `authenticate.py`: `POST /api/account/{account}/authenticate`, the brand's customer, with the
  code or JWT the brand's page or app handed the SDK.

Both answer `{"jwt": <consumer token>}` (`consumer_token.py`), as LivePerson's "Messaging Window
API — Getting Started" and "Tutorials — Authentication" pages show. A refusal is LivePerson's
`{"internalErrorCode": "9011"}` plus what LivePerson leaves out: the error's name, a sentence
saying why, and the id of the check that failed (`refusals.py`).

Any page may call them: the Web SDK runs on the brand's pages, another origin. No cookies are
involved; `Authorization` carries a consumer token for step-up and for extending one.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, g
from flask.typing import ResponseReturnValue
from flask_cors import CORS

from shared.liveperson.idp.refusals import unknown_account

bp = Blueprint("idp", __name__, url_prefix="/api/account/<account>")
CORS(bp, origins="*", send_wildcard=True, methods=["POST"], allow_headers=["Content-Type", "Authorization"])


@bp.url_value_preprocessor
def _take_account(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    g.account = (values or {}).pop("account", None)


@bp.before_request
def _only_this_account() -> ResponseReturnValue | None:
    served = current_app.extensions["standin"].account
    return None if g.account == served else unknown_account(served, g.account)


# The views, added to bp by importing their modules (Flask's "larger applications" pattern).
from shared.liveperson.idp import authenticate, signup  # noqa: E402, F401
