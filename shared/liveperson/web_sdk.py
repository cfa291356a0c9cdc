"""What the brand's browser loads from LivePerson: the Web SDK tag and the pop-out chat window.

- `GET /tag/tag.js?site=ACCOUNT`: the `lpTag` the brand page embeds (`static/lptag.js`); it opens
  an embedded chat window that gets a code or JWT from the page's authentication method.
- `GET /le_unified_window/index.html`: the popped-out window (`templates/window.html` +
  `static/window.js`), which authenticates by redirecting to the brand's authorization endpoint.
  LivePerson's own path: its URL is the redirect URI the brand registers for the pop-out.
- `/web-sdk/<file>`: their CSS and scripts. `lptag.js` names this path, so keep the two in step.
  What the tag and the window share (`SHARED`: PKCE, LivePerson's consumer API, the conversation's
  view, what the two windows tell each other) comes first in both: the tag is those files followed
  by `lptag.js`, so the page loads a single script; the window loads them one by one before
  `window.js`.

The behaviour lives in the scripts; this module only serves them.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, render_template, send_from_directory

from shared import contract

# Each defines one global the scripts after it use; in this order.
SHARED = ("pkce.js", "messaging.js", "chat-view.js", "popout-link.js")

bp = Blueprint(
    "web_sdk",
    __name__,
    static_folder="static",
    static_url_path="/web-sdk",
    template_folder="templates",
)


@bp.get("/tag/tag.js")
def tag() -> Response:
    """The tag for any `site`: the script itself reads the account from its own URL."""
    assert bp.static_folder is not None
    folder = Path(bp.static_folder)
    script = "\n".join((folder / name).read_text() for name in (*SHARED, "lptag.js"))
    return Response(script, mimetype="application/javascript")


@bp.get("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for it on every page; an SVG (the path keeps its historic name)."""
    assert bp.static_folder is not None
    return send_from_directory(bp.static_folder, "favicon.svg", mimetype="image/svg+xml")


@bp.get(contract.POPOUT_WINDOW_PATH)
def window() -> str:
    return render_template("window.html", scripts=SHARED)
