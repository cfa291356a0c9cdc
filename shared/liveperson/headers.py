"""The stand-in's response headers, in one place.

- `Cache-Control: no-store` on every answer but the static files: the API and the inspector are
  records of exchanges, the pop-out window receives the brand's code or id_token in its URL,
  and the tag is edited while brand pages are open, where a cached copy would hide the change.
  The static files (the tag's, the window's and the agent workspace's) keep Flask's
  revalidation (`no-cache` with an ETag): an edit shows at once.
- `Referrer-Policy: no-referrer` on every page: the window's URL must not go out as the
  Referer of anything it loads before it clears the address bar, and no page needs to send one.

Cross-origin access is decided per view: api.py, idp/__init__.py.
"""

from __future__ import annotations

from flask import Flask, Response, request


def init_app(app: Flask) -> None:
    app.after_request(_add_headers)


def _add_headers(response: Response) -> Response:
    response.headers["Referrer-Policy"] = "no-referrer"
    if request.endpoint not in ("web_sdk.static", "agent.static"):
        response.headers["Cache-Control"] = "no-store"
    return response
