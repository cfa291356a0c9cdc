"""`/inspector`: every exchange with the brand, what was sent, what came back, the decoded
token and each check passed or failed; what a developer debugging an integration wants."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

bp = Blueprint("inspector", __name__)


@bp.get("/")
def index() -> ResponseReturnValue:
    return redirect(url_for("inspector.inspector"))


@bp.get("/inspector")
def inspector() -> ResponseReturnValue:
    app = current_app
    return render_template(
        "inspector.html",
        settings=app.extensions["standin"],
        exchanges=app.extensions["exchanges"].exchanges(),
        conversations=app.extensions["store"].summaries(),
        encryption=app.extensions["encryption"],
    )


@bp.app_template_filter("pretty")
def pretty(value: object) -> str:
    return json.dumps(value, indent=2, sort_keys=True, default=str)


@bp.app_template_filter("clock")
def clock(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%H:%M:%S UTC")
