"""`GET /agent`: LivePerson's agent workspace, reduced to what a brand developer needs to play
the agent: the conversations, a thread, the consumer's identity and engagement attributes as
LivePerson shows them, a reply box and "Close conversation".

Layout in templates/agent.html and static/agent.css, behaviour in static/agent.js, which reads
and acts through the JSON API (api.py). Consumer text is hostile input: the script sets it as
text only, and the page's Content-Security-Policy allows no script, style or image but the
stand-in's own files, so even a mistake there could not run what a consumer typed.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template

bp = Blueprint("workspace", __name__)

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",  # the JSON API, polled
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)


# The tab's icon: a speech bubble in the workspace's blue (the browser asks for one on every page).
ICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
    '<path fill="#2d6cdf" d="M6 4h20a4 4 0 0 1 4 4v12a4 4 0 0 1-4 4H14l-7 6v-6H6'
    'a4 4 0 0 1-4-4V8a4 4 0 0 1 4-4Z"/>'
    '<path fill="#fff" d="M9 11h14v2H9zm0 5h10v2H9z"/></svg>'
)


@bp.get("/agent")
def workspace() -> Response:
    page = render_template(
        "agent.html", settings=current_app.extensions["standin"], agent_id=current_app.extensions["agent_id"]
    )
    response = Response(page, mimetype="text/html")
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response


@bp.get("/agent/icon.svg")
def icon() -> Response:
    return Response(ICON, mimetype="image/svg+xml")
