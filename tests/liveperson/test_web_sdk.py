"""The Web SDK side of the stand-in: the tag and the pop-out window are served where a brand page
and LivePerson's redirect expect them, and, in a real Chromium, the tag gives a brand page the
lpTag surface of the contract and LivePerson's consumer API behind it (the stand-in itself, in
this process, against a small fake brand)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import expect
from werkzeug.test import TestResponse

from shared.liveperson import create_app, web_sdk
from shared.liveperson.settings import StandInSettings
from shared.validation.authenticate import Settings as ValidationSettings
from tests.checker import broken_brand
from tests.liveperson.test_standin_options import brand_code
from tests.support.browser import RECORD_CLOSE_CODES, say, thread
from tests.support.servers import Serving

STATIC = Path(web_sdk.__file__).parent / "static"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    settings = StandInSettings(validation=ValidationSettings(issuer="http://127.0.0.1:9/brand"),
                               instance_folder=tmp_path_factory.mktemp("web_sdk"))
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
    # One script for the page: what the tag shares with the pop-out window, then the tag.
    assert response.get_data(as_text=True) == "\n".join(
        (STATIC / name).read_text()
        for name in ("pkce.js", "messaging.js", "chat-view.js", "popout-link.js", "lptag.js")
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


def test_only_what_the_tag_calls_is_shared_with_other_origins(client):
    hostile = {"Origin": "http://evil.example"}
    assert client.get("/api/config", headers=hostile).headers["Access-Control-Allow-Origin"] == "*"
    for path in ("signup", "authenticate"):
        answer = client.post(f"/api/account/12345678/{path}", headers=hostile)
        assert answer.headers["Access-Control-Allow-Origin"] == "*", path
    for path in ("/api/exchanges", "/api/agent/conversations", "/api/jwe-public-key", "/inspector", "/agent"):
        assert "Access-Control-Allow-Origin" not in client.get(path, headers=hostile).headers, path


def test_the_popout_windows_script_and_style_are_served(client):
    page = get(client, "/le_unified_window/index.html").get_data(as_text=True)
    scripts = re.findall(r'<script src="([^"]+)"', page)
    style = re.search(r'<link rel="stylesheet" href="([^"]+)"', page)
    assert style, page
    # The helpers first, in the tag's order, then the window's own script.
    for src, name in zip(scripts, (*web_sdk.SHARED, "window.js"), strict=True):
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

# The brand's page, as a web client writes it: lpTag set up the way the real snippet does (site,
# section, identities, deferred event bindings) before the tag loads, then bindings in both
# documented forms after it. The authentication method hands over the codes the test issued.
BRAND_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Brand</title>
<script>
  window.seen = {deferred: [], positional: [], object: [], asked: 0};
  window.codes = CODES;
  window.lpTag = window.lpTag || {};
  lpTag.site = "12345678";
  lpTag.section = ["account"];
  lpTag.identities = lpTag.identities || [];
  lpTag.identities.push(function (cb) { cb({iss: "ISSUER", acr: "loa1", sub: "SUB"}); });
  lpTag.defer = function (fn) { (lpTag._defB = lpTag._defB || []).push(fn); };
  lpTag.events = {bind: function (app, ev, fn) {
    lpTag.defer(function () { lpTag.events.bind(app, ev, fn); }, 0);
  }};
  lpTag.events.bind("lpUnifiedWindow", "state", function (d) { seen.deferred.push(d.state); });
  window.lpGetAuthenticationToken = function (callback) {
    seen.asked += 1;
    callback({ssoKey: codes.shift(), redirect_uri: "https://liveperson.net"});
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

# A single-page app: the visitor starts anonymous (no identity, no method); logging in pushes the
# identity, defines the method and calls lpTag.newPage, as LivePerson's step-up asks of web pages;
# logging out removes both and calls lpTag.newPage.
SPA_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Brand SPA</title>
<script>
  window.lpTag = {site: "12345678", identities: []};
  window.logIn = function (codes) {
    lpTag.identities.push(function (cb) { cb({iss: "ISSUER", acr: "loa1", sub: "SUB"}); });
    window.lpGetAuthenticationToken = function (callback) {
      callback({ssoKey: codes.shift(), redirect_uri: "https://liveperson.net"});
    };
    lpTag.newPage(location.href);
  };
  window.logOut = function () {
    lpTag.identities.splice(0);
    delete window.lpGetAuthenticationToken;
    lpTag.newPage(location.href);
  };
</script>
<script src="STAND_IN/tag/tag.js?site=12345678"></script>
</head><body><button data-testid="start-chat" onclick="lpTag.openChat()">Chat with us</button></body></html>
"""

GUEST_LIFETIME = 2  # seconds: a guest's token expires (4407) and is extended while the test runs


class Running:
    """The fake brand and a stand-in configured for it; `page(html)` serves a brand page."""

    def __init__(self, brand: broken_brand.RunningBrand, standin: Serving, app: Flask) -> None:
        self.brand, self.standin, self.app = brand, standin, app
        self.pages: dict[str, str] = {}

    def codes(self, count: int) -> str:
        """Codes the brand issued to its logged-in customer, as a JavaScript array."""
        return json.dumps([brand_code(self.brand) for _ in range(count)])

    def conversations(self) -> list[dict[str, Any]]:
        return self.app.test_client().get("/api/agent/conversations").get_json()["conversations"]

    def fill(self, html: str, codes: str = "[]") -> str:
        return (html.replace("STAND_IN", self.standin.url).replace("ISSUER", self.brand.issuer)
                .replace("SUB", broken_brand.SUB).replace("CODES", codes))


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    with broken_brand.serve() as brand:
        validation = ValidationSettings(issuer=brand.issuer, client_id=broken_brand.CLIENT_ID,
                                        client_secret=broken_brand.CLIENT_SECRET)
        settings = StandInSettings(validation=validation, unauthenticated_lifetime=GUEST_LIFETIME,
                                   instance_folder=tmp_path_factory.mktemp("web_sdk_browser"))
        app = create_app(settings)
        with Serving(app) as standin:
            yield Running(brand, standin, app)


def brand_site(html: str) -> Flask:
    app = Flask("brand")
    app.add_url_rule("/", "page", lambda: html)
    return app


def test_a_brand_page_binds_events_and_sees_the_embedded_window_authenticate(page, running):
    posted: list[dict[str, Any]] = []
    page.on("request", lambda r: posted.append(json.loads(r.post_data or "{}"))
            if r.url.endswith("/authenticate") and r.method == "POST" else None)
    # Two ports, two origins: the tag runs on the brand's page and calls the stand-in across origins.
    with Serving(brand_site(running.fill(BRAND_PAGE, running.codes(1)))) as brand:
        page.goto(brand.url + "/")
        assert page.evaluate("[lpTag.site, lpTag.section, lpTag.identities.length]") == [
            "12345678", ["account"], 1]

        page.get_by_test_id("start-chat").click()
        status = page.get_by_test_id("chat-status")
        expect(status).to_have_attribute("data-state", "authenticated")
        expect(status).to_have_text(f"Authenticated as {broken_brand.SUB}")
        expect(page.get_by_test_id("chat-identity")).to_contain_text(broken_brand.SUB)
        say(page, "Hello from the brand page.")
        conversation = page.locator(".lpsi-window").get_attribute("data-conversation-id")
        listed = {c["conversationId"]: c for c in running.conversations()}
        assert listed[conversation]["consumer"]["customerId"] == broken_brand.SUB
        assert posted == [{"authCode": posted[0]["authCode"], "redirect_uri": "https://liveperson.net",
                           "channel": "web"}]

        page.get_by_test_id("chat-close").click()
        seen = page.evaluate("seen")
        progression = ["initialised", "waiting", "interactive", "ended"]
        assert seen["deferred"] == seen["positional"] == seen["object"] == progression
        assert seen["asked"] == 1


def test_a_single_page_app_guest_keeps_the_conversation_when_logging_in(page, running):
    """Unauthenticated messaging, the guest's token extended at its expiry (4407), then step-up
    on lpTag.newPage: the same conversation, now the customer's, with its history. Logging out
    (identity and method removed, newPage) leaves it: a new guest, in a new conversation."""
    page.add_init_script(RECORD_CLOSE_CODES)
    with Serving(brand_site(running.fill(SPA_PAGE))) as brand:
        page.goto(brand.url + "/")
        page.get_by_test_id("start-chat").click()
        status = page.get_by_test_id("chat-status")
        expect(status).to_have_attribute("data-state", "unauthenticated")
        expect(status).to_contain_text("guest")
        # No method on a logged-out page is the normal case, not the page's fault: no note.
        expect(page.get_by_test_id("chat-note")).to_be_hidden()
        say(page, "A question before I log in.")
        conversation = page.locator(".lpsi-window").get_attribute("data-conversation-id")

        # The guest's token expires: the socket closes with 4407, the identity is extended, the
        # thread goes on.
        page.wait_for_function("closeCodes.length > 0")
        assert set(page.evaluate("closeCodes")) == {4407}
        say(page, "Still here.")

        page.evaluate(f"logIn({running.codes(2)})")
        expect(status).to_have_attribute("data-state", "authenticated")
        expect(status).to_have_text(f"Authenticated as {broken_brand.SUB}")
        expect(page.locator(".lpsi-window")).to_have_attribute("data-conversation-id", conversation)
        expect(thread(page)).to_have_count(2)
        say(page, "Logged in.")
        stepped = {c["conversationId"]: c for c in running.conversations()}[conversation]
        assert stepped["authenticated"] and stepped["steppedUp"]
        assert stepped["consumer"]["customerId"] == broken_brand.SUB

        page.evaluate("logOut()")
        expect(status).to_have_attribute("data-state", "unauthenticated")
        expect(status).not_to_contain_text("Authenticated as")
        window = page.locator(".lpsi-window")
        expect(window).not_to_have_attribute("data-conversation-id", conversation)
        expect(window).to_have_attribute("data-conversation-id", re.compile(".+"))
        expect(thread(page)).to_have_count(0)
        listed = {c["conversationId"]: c for c in running.conversations()}
        assert not listed[window.get_attribute("data-conversation-id")]["authenticated"]


def test_a_refused_code_shows_livepersons_number_name_and_reason(page, running):
    unknown = json.dumps(["a-code-the-brand-never-issued"])
    with Serving(brand_site(running.fill(BRAND_PAGE, unknown))) as brand:
        page.goto(brand.url + "/")
        page.get_by_test_id("start-chat").click()
        status = page.get_by_test_id("chat-status")
        expect(status).to_have_attribute("data-state", "failed")
        expect(status).to_contain_text("Authentication failed: 9011 Customer authentication failed: ")
        expect(status).to_contain_text("invalid_grant")
        expect(page.get_by_test_id("chat-composer")).to_be_hidden()


# -- the hand-over between the tag and the pop-out: origins checked both ways ----------------

# A page of another origin that opens a window and answers its questions as the tag would.
OPENER_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Another site</title>
<script>
  window.heard = [];
  window.addEventListener("message", function (event) {
    heard.push(event.data);
    if (event.data && event.data.type === "lpsi.popout.hello") {
      var answer = {type: "lpsi.popout.visitor", since: Date.now(), guestToken: window.planted};
      event.source.postMessage(answer, "*");
    }
  });
  window.openIt = function (url, planted) {
    window.planted = planted;
    window.opened = window.open(url, "_blank", "popup");
  };
</script></head><body></body></html>
"""


def planted_guest(running: Running) -> str:
    answer = running.app.test_client().post("/api/account/12345678/signup")
    return answer.get_json()["jwt"]


@pytest.mark.parametrize("named_origin", ["the opener's", "another"])
def test_the_popout_takes_a_guest_only_from_the_origin_it_was_opened_for(
        page, running, named_origin):
    """The window listens to its opener only at the `parentWindowOrigin` it sends the brand: an
    opener of another origin cannot slip it a guest. (One that names itself can: whatever opens
    the window is its parent, as with LivePerson's.)"""
    with Serving(brand_site(OPENER_PAGE)) as other:
        page.goto(other.url + "/")
        parent = other.url if named_origin == "the opener's" else "http://127.0.0.1:9"
        query = urlencode({"parentWindowOrigin": parent})
        url = f"{running.standin.url}/le_unified_window/index.html?{query}"
        sockets: list[str] = []
        with page.expect_popup() as popup:
            page.evaluate("([url, token]) => openIt(url, token)", [url, planted_guest(running)])
        window = popup.value
        window.on("websocket", lambda ws: sockets.append(ws.url))
        status = window.get_by_test_id("chat-status")
        if named_origin == "the opener's":
            expect(status).to_have_attribute("data-state", "unauthenticated")
            expect(window.locator(".lpsi-window")).to_have_attribute("data-conversation-id", re.compile(".+"))
        else:
            # Ignored: after its wait, the window logs in by redirect, LivePerson's default.
            expect(window).not_to_have_url(re.compile(r"/le_unified_window/"))
            assert sockets == []


def test_the_tag_hands_a_guest_to_no_other_origin(page, running):
    """A page of another origin that holds the brand's window asks the tag as the pop-out would:
    no answer reaches it."""
    with Serving(brand_site(running.fill(SPA_PAGE))) as brand, Serving(brand_site(OPENER_PAGE)) as other:
        page.goto(other.url + "/")
        with page.expect_popup() as popup:
            page.evaluate("(url) => openIt(url, null)", brand.url + "/")
        brand_page = popup.value
        brand_page.get_by_test_id("start-chat").click()
        expect(brand_page.get_by_test_id("chat-status")).to_have_attribute("data-state", "unauthenticated")
        say(brand_page, "Only for the brand's windows.")
        for _ in range(3):
            page.evaluate("opened.postMessage({type: 'lpsi.popout.hello'}, '*')")
            page.wait_for_timeout(300)
        assert page.evaluate("heard") == []
