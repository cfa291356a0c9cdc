"""The web client's server: settings from options or WEB_CLIENT_* variables, and which tag a page loads."""

from __future__ import annotations

import json
import re

import pytest

from web_client import create_app
from web_client.settings import Settings, from_arguments


def page_config(settings: Settings, path: str = "/account") -> dict[str, str | None]:
    html = create_app(settings).test_client().get(path).get_data(as_text=True)
    found = re.search(r'<script type="application/json" id="brand-config">(.*?)</script>', html, re.S)
    assert found, html
    return json.loads(found.group(1))


def test_without_an_account_the_page_asks_the_standin_for_its_account() -> None:
    config = page_config(Settings(backend_url="http://127.0.0.1:9000/", liveperson_url="http://127.0.0.1:9002"))
    assert config["tagUrl"] is None and config["site"] is None  # the page asks the stand-in
    assert config["livepersonUrl"] == "http://127.0.0.1:9002"
    assert config["backendUrl"] == config["issuer"] == "http://127.0.0.1:9000"
    assert config["flow"] is None  # asked from the stand-in
    assert config["jsMethod"] == "lpGetAuthenticationToken"


def test_with_a_real_account_the_page_loads_liveperson_s_tag() -> None:
    settings = Settings(backend_url="https://auth.example.com", liveperson_account="90233546", flow="code",
                        js_method="getCode", js_context="brand.chat")
    for path in ("/login", "/account"):
        config = page_config(settings, path)
        assert config["tagUrl"] == "https://lptag.liveperson.net/tag/tag.js?site=90233546"
        assert config["site"] == "90233546"
        assert config["livepersonUrl"] is None
        assert (config["flow"], config["jsMethod"], config["jsContext"]) == ("code", "getCode", "brand.chat")


def test_settings_come_from_the_environment_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEB_CLIENT_BACKEND_URL", "http://127.0.0.1:7000")
    monkeypatch.setenv("WEB_CLIENT_LIVEPERSON_ACCOUNT", "123")
    monkeypatch.setenv("WEB_CLIENT_FLOW", "implicit")
    monkeypatch.setenv("WEB_CLIENT_PORT", "7001")
    args, settings = from_arguments([])
    assert args.port == 7001
    assert (settings.backend_url, settings.liveperson_account, settings.flow) == (
        "http://127.0.0.1:7000", "123", "implicit")
    # An option wins over its variable.
    assert from_arguments(["--flow", "code"])[1].flow == "code"


def test_a_real_account_needs_its_flow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WEB_CLIENT_FLOW", raising=False)
    with pytest.raises(SystemExit):
        from_arguments(["--liveperson-account", "123"])


def test_every_response_forbids_framing_and_sniffing_and_keeps_the_referrer_on_the_site() -> None:
    client = create_app(Settings(backend_url="http://127.0.0.1:9000")).test_client()
    for path in ("/login", "/account", "/static/site.css", "/no-such-page"):
        response = client.get(path)
        response.close()
        assert response.headers["X-Frame-Options"] == "DENY", path
        assert response.headers["Referrer-Policy"] == "same-origin", path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
