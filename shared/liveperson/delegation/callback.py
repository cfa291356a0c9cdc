"""`GET /callback/{account}/redirectCode?code&state`: where the brand sends the customer back
from a verification link ("Consumer Delegation: How It Works": "Brand is redirecting the
consumer to LivePerson. LivePerson validates state and retrieve token"; "Configuration": the
redirect URI the brand registers for it).

The state must name a link the stand-in made, not followed yet and not expired
(`verification.py`). The code is exchanged with the link's PKCE verifier; the access token is
kept for that conversation only, while "Refresh Tokens are ignored and not stored"
("Introduction"). The bot, if on, then answers the question that led to the link. An `error`
(RFC 6749 §4.1.2.1: `access_denied` when the customer refused on the brand's consent page)
spends the state too, and the bot hears of it.

The customer sees a small page in the chat window's look, in plain words: verified, or why not
(400 for a link that cannot be used, 502 when the brand refused the code). It runs no script;
its address holds the code, so it sends no Referer and is never cached (headers.py).
"""

from __future__ import annotations

from flask import Response, current_app, render_template, request

from shared import contract
from shared.liveperson.delegation import bp
from shared.liveperson.delegation.verification import StateRefused

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
ASK_AGAIN = "Ask in the chat for a new link."
STATE_PROBLEMS = {
    "missing": "This page is reached through the verification link in the chat.",
    "unknown": f"This verification link is not one the chat sent. {ASK_AGAIN}",
    "used": f"This verification link was already used. {ASK_AGAIN}",
    "expired": f"This verification link has expired: links last 10 minutes. {ASK_AGAIN}",
}
_SHOWN = 200  # characters of the brand's error shown at most


@bp.get(contract.DELEGATION_CALLBACK_PATH.replace("{account}", "<account>"))
def callback(account: str) -> Response:
    extensions = current_app.extensions
    if account != extensions["standin"].account:
        return _page(404, "failed", "This is not the right address", "This stand-in serves another account.")
    try:
        pending = extensions["verifications"].take(request.args.get("state"))
    except StateRefused as refused:
        return _page(400, "failed", "This link cannot be used", STATE_PROBLEMS[refused.reason])
    bot = extensions.get("bot")
    error = request.args.get("error")
    if error is not None:
        if bot is not None:
            bot.verification_refused(pending.conversation_id)
        if error == "access_denied":
            return _page(200, "refused", "You did not allow access",
                         "Nothing was shared. You can close this window and go on in the chat.")
        description = request.args.get("error_description", "")
        return _page(400, "failed", "The verification did not complete",
                     f"The brand answered: {error[:_SHOWN]} {description[:_SHOWN]}")
    code = request.args.get("code")
    if not code:
        return _page(400, "failed", "The verification did not complete",
                     f"The brand sent no code back. {ASK_AGAIN}")
    verifications = extensions["verifications"]
    exchange, grant = extensions["authenticator"].with_delegation_code(
        code, verifications.redirect_uri, pending.code_verifier
    )
    extensions["exchanges"].record(exchange)
    if grant is None:
        return _page(502, "failed", "The verification did not complete",
                     f"{(exchange.failure or {}).get('message')} {ASK_AGAIN}")
    if not extensions["delegated_tokens"].keep_for_conversation(pending.conversation_id, grant):
        return _page(409, "failed", "The conversation has ended",
                     "Nothing was kept. Start a new conversation in the chat if you still need help.")
    if bot is not None:
        bot.verified(pending.conversation_id)
    return _page(200, "verified", "You are verified", "You can close this window.")


def _page(status: int, outcome: str, title: str, detail: str) -> Response:
    page = render_template("verification.html", outcome=outcome, title=title, detail=detail)
    response = Response(page, status=status, mimetype="text/html")
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response
