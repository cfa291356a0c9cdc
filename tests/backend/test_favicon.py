"""`/favicon.ico` on the backend: an SVG, so browsers stop logging a 404 on every page."""

from __future__ import annotations

from flask.testing import FlaskClient


def test_favicon_is_an_svg(client: FlaskClient) -> None:
    with client.get("/favicon.ico") as response:  # closes the file it streams
        assert response.status_code == 200
        assert response.mimetype == "image/svg+xml"
        assert response.data.startswith(b"<svg")
