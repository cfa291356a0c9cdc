"""The agent's side and the records answer only at the stand-in's own name (a loopback address,
or --public-url's host), so a page that rebinds its own name to 127.0.0.1 cannot read them; what
brand pages and apps reach answers at any name, as an Android emulator's 10.0.2.2."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from shared.liveperson import create_app
from shared.liveperson.settings import StandInSettings
from shared.validation.authenticate import Settings as ValidationSettings

PRIVATE = ["/agent", "/api/agent/conversations", "/inspector", "/api/exchanges"]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    settings = StandInSettings(validation=ValidationSettings(issuer="http://127.0.0.1:9"),
                               instance_folder=tmp_path_factory.mktemp("standin"),
                               public_url="https://lp.brand.example")
    app = create_app(settings)
    yield app
    app.extensions["store"].dispose()


@pytest.mark.parametrize("path", PRIVATE)
@pytest.mark.parametrize("host", ["127.0.0.1:8002", "localhost:8002", "LOCALHOST", "[::1]:8002",
                                  "lp.brand.example"])
def test_the_private_views_answer_at_the_stand_ins_own_names(app: Flask, path: str, host: str) -> None:
    assert app.test_client().get(path, headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("path", PRIVATE)
@pytest.mark.parametrize("host", ["attacker.example:8002", "127.0.0.1.attacker.example",
                                  "attacker.example@127.0.0.1:8002", "10.0.2.2:8002"])
def test_the_private_views_refuse_any_other_name(app: Flask, path: str, host: str) -> None:
    answer = app.test_client().get(path, headers={"Host": host})
    assert answer.status_code == 421
    assert "--public-url" in answer.get_data(as_text=True)
    if path.startswith("/api/"):
        assert answer.json is not None and answer.json["error"] == "misdirected"
    assert "Access-Control-Allow-Origin" not in answer.headers


@pytest.mark.parametrize("path", ["/api/config", "/tag/tag.js", "/le_unified_window/index.html"])
def test_what_brand_pages_and_apps_reach_answers_at_any_name(app: Flask, path: str) -> None:
    assert app.test_client().get(path, headers={"Host": "10.0.2.2:8002"}).status_code == 200
