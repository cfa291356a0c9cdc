"""Consumer Delegation, LivePerson's side (its "Consumer Delegation" pages: Introduction, How It
Works, Configuration, Settings Configuration, Get Tokens API): the brand's tokens for a customer,
kept so that bots may call the brand's API as that customer.

- `sealing.py`: the tokens encrypted at rest.
- `tokens.py`: the tokens kept for a consumer (authenticated conversations, from the code
  exchange of `idp/authenticate.py`) or for a conversation (a verification link), and their refresh.
- `verification.py`: the verification link of an unauthenticated conversation (state, PKCE).
- `sentinel.py`: the app installation's tokens (client credentials).
- `app_token.py`: `POST /sentinel/api/v2/account/{account}/app/token`.
- `get_tokens.py`: `GET /api/account/{account}/consumer/{consumerId}/brand/tokens`.
- `callback.py`: `GET /callback/{account}/redirectCode`, where the brand sends the customer back.

`bp` holds the three endpoints. None is cross-origin: the first two answer the brand's servers,
the last a top-level navigation.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("delegation", __name__, template_folder="templates")

# The views, added to bp by importing their modules (Flask's "larger applications" pattern).
from shared.liveperson.delegation import app_token, callback, get_tokens  # noqa: E402, F401
