"""The brand's name and colours on the backend's pages (BRAND_NAME, BRAND_COLOR, BRAND_ACCENT,
LOGIN_HINT), so that the login page a customer meets, on the site or inside LivePerson's pop-out
window, looks and speaks like the brand's site.

The colours reach the pages as a stylesheet, `/brand.css`: the Content-Security-Policy allows no
inline style. They are checked at start-up as hex colours, so no setting can write CSS of its own.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Flask, Response, current_app

bp = Blueprint("branding", __name__)
_HEX_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")


def init_app(app: Flask) -> None:
    for name in ("BRAND_COLOR", "BRAND_ACCENT"):
        if not _HEX_COLOR.fullmatch(str(app.config[name])):
            raise SystemExit(f"BACKEND_{name} must be a hex colour such as #1a5fb4, got {app.config[name]!r}")
    app.context_processor(_brand)
    app.register_blueprint(bp)


def _brand() -> dict[str, Any]:
    config = current_app.config
    return {"brand_name": config["BRAND_NAME"], "login_hint": config["LOGIN_HINT"]}


@bp.get("/brand.css")
def stylesheet() -> Response:
    config = current_app.config
    css = f":root {{ --brand: {config['BRAND_COLOR']}; --accent: {config['BRAND_ACCENT']}; }}\n"
    return Response(css, mimetype="text/css", headers={"Cache-Control": "no-cache"})
