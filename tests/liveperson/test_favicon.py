"""`/favicon.ico` on the LivePerson stand-in: an SVG, so browsers stop logging a 404 on every page."""

from __future__ import annotations

from pathlib import Path

from shared.liveperson import create_app
from shared.liveperson.settings import StandInSettings
from shared.validation.authenticate import Settings as ValidationSettings


def test_favicon_is_an_svg(tmp_path: Path) -> None:
    settings = StandInSettings(validation=ValidationSettings(issuer="http://127.0.0.1:9/brand"),
                               instance_folder=tmp_path)
    with create_app(settings).test_client().get("/favicon.ico") as response:  # closes the file it streams
        assert response.status_code == 200
        assert response.mimetype == "image/svg+xml"
        assert response.data.startswith(b"<svg")
