"""Cross-origin access for the brand's own web pages: credentialed requests to `/api/` from the
origins in BACKEND_CORS_ORIGINS only (the Fetch standard's CORS protocol).

The brand's site usually lives on another origin than its auth server; its pages call
`/api/session` and `/api/liveperson/*` with the login cookie. Any other origin gets no CORS
headers, so the browser withholds the answer from it.
"""

from __future__ import annotations

from flask import Flask, Response, request


def init_app(app: Flask) -> None:
    allowed = frozenset(
        origin.strip().rstrip("/") for origin in app.config["CORS_ORIGINS"].split(",") if origin.strip()
    )

    @app.after_request
    def _allow_listed_origins(response: Response) -> Response:
        if not request.path.startswith("/api/"):
            return response
        response.vary.add("Origin")
        origin = request.headers.get("Origin")
        if origin in allowed:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Credentials"] = "true"
            if request.method == "OPTIONS":  # the preflight of a JSON POST or a DELETE
                response.headers["Access-Control-Allow-Methods"] = "GET, POST, DELETE"
                response.headers["Access-Control-Allow-Headers"] = "Content-Type, Authorization"
                response.headers["Access-Control-Max-Age"] = "600"
        return response
