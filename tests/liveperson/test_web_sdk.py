"""The Web SDK side of the stand-in: the tag and the pop-out window are served where a brand page
and LivePerson's redirect expect them, and, in a real Chromium when one is installed, the tag gives
a brand page the lpTag surface of the contract."""

from __future__ import annotations

import re
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Blueprint, Flask, jsonify, request
from flask.testing import FlaskClient
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server
from werkzeug.test import TestResponse

from shared.liveperson import create_app, web_sdk
from shared.liveperson.settings import StandInSettings
from shared.validation.authenticate import Settings as ValidationSettings

STATIC = Path(web_sdk.__file__).parent / "static"


@pytest.fixture(scope="module")
def client() -> FlaskClient:
    settings = StandInSettings(validation=ValidationSettings(issuer="http://127.0.0.1:9/brand"))
    return create_app(settings).test_client()


def get(client: FlaskClient, url: str) -> TestResponse:
    """GET and read the whole body, closing the file a static response streams from."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


# -- the routes ---------------------------------------------------------------------------


def test_the_tag_is_served_at_the_real_tags_path_as_javascript(client):
    response = get(client, "/tag/tag.js?site=12345678")
    assert response.status_code == 200
    assert response.mimetype == "application/javascript"
    # One script for the page: the shared PKCE helpers, then the tag.
    assert response.get_data(as_text=True) == "\n".join(
        (STATIC / name).read_text() for name in ("pkce.js", "lptag.js")
    )


def test_the_tag_is_never_cached(client):
    # An edited tag must reach brand pages that are already open at their next load.
    assert get(client, "/tag/tag.js?site=12345678").headers["Cache-Control"] == "no-store"


def test_the_popout_window_is_served_at_livepersons_path(client):
    response = get(client, "/le_unified_window/index.html")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert 'data-testid="chat-status"' in page
    assert 'data-testid="chat-retry"' in page


def test_the_popout_window_keeps_the_brands_response_out_of_caches_and_referers(client):
    response = get(client, "/le_unified_window/index.html?code=abc&state=xyz")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("path", ["/api/config", "/api/exchanges", "/inspector", "/tag/tag.js?site=1"])
def test_records_and_generated_pages_are_never_cached_nor_sent_as_referer(client, path):
    response = get(client, path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_static_files_are_revalidated_rather_than_never_stored(client):
    """An edited script shows at the next load all the same."""
    response = get(client, "/web-sdk/window.js")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert response.headers["ETag"]


def test_only_the_tags_two_endpoints_are_shared_with_other_origins(client):
    hostile = {"Origin": "http://evil.example"}
    assert client.get("/api/config", headers=hostile).headers["Access-Control-Allow-Origin"] == "*"
    for path in ("/api/exchanges", "/api/conversations", "/api/jwe-public-key", "/inspector"):
        assert "Access-Control-Allow-Origin" not in client.get(path, headers=hostile).headers, path


def test_the_popout_windows_script_and_style_are_served(client):
    page = get(client, "/le_unified_window/index.html").get_data(as_text=True)
    scripts = re.findall(r'<script src="([^"]+)"', page)
    style = re.search(r'<link rel="stylesheet" href="([^"]+)"', page)
    assert len(scripts) == 2 and style, page
    for src, name in zip(scripts, ("pkce.js", "window.js"), strict=True):  # helpers first
        js = get(client, src)
        assert (js.status_code, js.mimetype) == (200, "text/javascript")
        assert js.get_data() == (STATIC / name).read_bytes()
    css = get(client, style.group(1))
    assert (css.status_code, css.mimetype) == (200, "text/css")


def test_the_paths_the_tag_names_on_the_stand_in_are_served(client):
    # lptag.js builds these from its own origin; a renamed route would break it silently.
    tag = (STATIC / "lptag.js").read_text()
    css = re.search(r'const CSS_URL = STAND_IN \+ "([^"]+)"', tag)
    window = re.search(r'STAND_IN \+ "(/le_unified_window/[^"]+)"', tag)
    assert css and window
    assert get(client, css.group(1)).mimetype == "text/css"
    assert get(client, window.group(1)).status_code == 200


# -- in a real browser ----------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

# The brand's page, as the web client will write it: lpTag set up the way the real snippet does
# (site, section, identities, deferred event bindings) before the tag loads, then bindings in
# both documented forms after it.
BRAND_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Brand</title>
<script>
  window.seen = {deferred: [], positional: [], object: [], asked: 0};
  window.lpTag = window.lpTag || {};
  lpTag.site = "12345678";
  lpTag.section = ["account"];
  lpTag.identities = lpTag.identities || [];
  lpTag.identities.push(function (cb) { cb({iss: "https://brand.example", acr: "loa1", sub: "alice"}); });
  lpTag.defer = function (fn) { (lpTag._defB = lpTag._defB || []).push(fn); };
  lpTag.events = {bind: function (app, ev, fn) {
    lpTag.defer(function () { lpTag.events.bind(app, ev, fn); }, 0);
  }};
  lpTag.events.bind("lpUnifiedWindow", "state", function (d) { seen.deferred.push(d.state); });
  window.lpGetAuthenticationToken = function (callback) {
    seen.asked += 1;
    callback({ssoKey: "code-" + seen.asked, redirect_uri: "https://liveperson.net"});
  };
</script>
<script src="STAND_IN/tag/tag.js?site=12345678"></script>
<script>
  lpTag.events.bind("lpUnifiedWindow", "state", function (d) { seen.positional.push(d.state); });
  lpTag.events.bind({appName: "lpUnifiedWindow", eventName: "state",
                     func: function (d) { seen.object.push(d.state); }});
</script>
</head><body><button data-testid="start-chat" onclick="lpTag.openChat()">Chat with us</button></body></html>
"""


def fake_api(bp: Blueprint, received: list[dict[str, Any]]) -> Flask:
    """The tag's blueprint beside a stand-in for the lead's JSON API with the agreed shapes, so the
    test needs no brand backend."""
    app = Flask(__name__)
    app.register_blueprint(bp)

    @app.after_request
    def cross_origin(response):
        response.headers["Access-Control-Allow-Origin"] = request.headers.get("Origin", "*")
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        return response

    @app.get("/api/config")
    def config():
        return jsonify(account="12345678", flow="code", pkce=False, js_method="lpGetAuthenticationToken",
                       js_context=None, authorization_endpoint="http://127.0.0.1:9/authorize",
                       client_id="liveperson-demo",
                       window_url=request.host_url + "le_unified_window/index.html")

    @app.route("/api/account/<account>/authenticate", methods=["POST", "OPTIONS"])
    def authenticate(account):
        if request.method == "OPTIONS":
            return "", 204
        received.append({"account": account, **request.get_json()})
        return jsonify(conversation_id="conv-1", sub="alice", claims={}, sdes={}, flow="code",
                       expires_at=int(time.time()) + 3600)

    return app


def brand_site(page: str) -> Flask:
    app = Flask("brand")
    app.add_url_rule("/", "page", lambda: page)
    return app


class Serving:
    """A WSGI app on a free loopback port, in a thread, for one test."""

    def __init__(self, app: Flask) -> None:
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Serving:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.thread.join()


@pytest.fixture
def chromium_page() -> Iterator[Any]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page()
        finally:
            browser.close()


def test_a_brand_page_binds_events_and_sees_the_embedded_window_authenticate(chromium_page):
    from playwright.sync_api import expect

    page = chromium_page
    received: list[dict[str, Any]] = []
    # Two ports, two origins: the tag runs on the brand's page and calls the stand-in across origins.
    with Serving(fake_api(web_sdk.bp, received)) as standin, \
            Serving(brand_site(BRAND_PAGE.replace("STAND_IN", standin.url))) as brand:
        page.goto(brand.url + "/")
        assert page.evaluate("[lpTag.site, lpTag.section, lpTag.identities.length]") == [
            "12345678", ["account"], 1]

        page.get_by_test_id("start-chat").click()
        status = page.get_by_test_id("chat-status")
        expect(status).to_have_attribute("data-state", "authenticated")
        expect(status).to_have_text("Authenticated as alice")
        expect(page.get_by_test_id("chat-identity")).to_contain_text("alice")
        assert received == [{"account": "12345678", "authCode": "code-1",
                             "redirect_uri": "https://liveperson.net", "channel": "web"}]

        page.get_by_test_id("chat-close").click()
        seen = page.evaluate("seen")
        progression = ["initialised", "waiting", "interactive", "ended"]
        assert seen["deferred"] == seen["positional"] == seen["object"] == progression
        assert seen["asked"] == 1
