"""The agent's side of the stand-in's messaging service: a developer plays the brand's agent.

- `api.py`: the agent's JSON API under `/api/agent/` (list, read, reply, close), same-origin only.
- `workspace.py`: the workspace page `GET /agent` (templates/agent.html, static/agent.js, agent.css).
- `profile.py`: what LivePerson shows an agent of a consumer, from the id_token's claims.
- `reply.py`: the rules for a reply's body.

`bp` holds both route groups, the page's template and its static files (`/agent/static/`).
"""

from __future__ import annotations

from flask import Blueprint

from shared.liveperson.agent import api, workspace

bp = Blueprint(
    "agent",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/agent/static",
)
bp.register_blueprint(api.bp)
bp.register_blueprint(workspace.bp)
