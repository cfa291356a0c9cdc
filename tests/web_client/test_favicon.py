"""`/favicon.ico` on the brand's website: an SVG, so browsers stop logging a 404 on every page."""

from __future__ import annotations

from web_client import create_app
from web_client.settings import Settings


def test_favicon_is_an_svg() -> None:
    client = create_app(Settings(backend_url="http://127.0.0.1:9000")).test_client()
    with client.get("/favicon.ico") as response:  # closes the file it streams
        assert response.status_code == 200
        assert response.mimetype == "image/svg+xml"
        assert response.data.startswith(b"<svg")
