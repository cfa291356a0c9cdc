"""Cross-origin access for the brand's own web pages, with flask-cors: credentialed requests to
`/api/` from the origins in BACKEND_CORS_ORIGINS only (the Fetch standard's CORS protocol).

The brand's site usually lives on another origin than its auth server; its pages call
`/api/session` and `/api/liveperson/*` with the login cookie. Any other origin gets no CORS
headers, so the browser withholds the answer from it. Error answers (the request guard's 400,
405, 413, 500) get the same headers, so the page can read why it was refused.
"""

from __future__ import annotations

import re

from flask import Flask
from flask_cors import CORS


def init_app(app: Flask) -> None:
    origins = [origin.strip().rstrip("/") for origin in app.config["CORS_ORIGINS"].split(",")]
    CORS(
        app,
        resources=r"/api/.*",
        # Passed explicitly: flask-cors would otherwise read the comma-separated CORS_ORIGINS
        # setting itself, as a single origin.
        origins=[_exactly(origin) for origin in origins if origin],
        supports_credentials=True,
        methods=["GET", "POST", "DELETE"],
        allow_headers=["Content-Type", "Authorization"],
        max_age=600,
        # flask-cors's default answers a request without Origin with the first listed origin,
        # which tells anyone the allow-list and is no use to a browser.
        always_send=False,
    )


def _exactly(origin: str) -> re.Pattern[str]:
    """The origin itself, as flask-cors compares it (case-insensitively), but never a pattern.

    flask-cors reads a string with `*`, `[`, `?` or `$` as a regular expression: a listed `*`
    would let every site read the API with the customer's cookie, and `http://[::1]:8001`
    would match no origin at all. A compiled pattern is also what makes flask-cors send
    `Vary: Origin` when only one origin is listed.
    """
    return re.compile(re.escape(origin) + r"\Z", re.IGNORECASE)
