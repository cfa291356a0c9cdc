"""LivePerson's legacy "openID" connector, end to end: the stand-in emulates it
(`--rfc-compliance openid`), the backend serves it to a client registered for it
(`seed-demo --liveperson-connector openid`). The pop-out window's configuration travels in its
redirect_uri's query, the token request names another redirect_uri, and the window signs the
customer in and holds the conversation as with the RFC connector."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, Route, expect

from shared import contract
from tests.support.browser import (
    Brand,
    Shots,
    brand_stack,
    conversation_id,
    log_in,
    open_chat,
    pop_out,
    say,
    thread,
)
from tests.web_client.test_popout import record


@pytest.fixture(scope="module")
def legacy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Brand]:
    flags = {"legacy": ["--rfc-compliance", contract.LEGACY_CONNECTOR]}
    with brand_stack(tmp_path_factory.mktemp("legacy"), flags, popout="legacy",
                     seed_options=["--liveperson-connector", contract.LEGACY_CONNECTOR]) as (_, brands):
        yield brands["legacy"]


def test_the_legacy_popout_signs_in_and_converses(
        context: BrowserContext, page: Page, legacy: Brand, shots: Shots) -> None:
    seen = record(context)
    sub = log_in(page, legacy.web)
    expect(open_chat(page)).to_have_attribute("data-state", "authenticated")
    window = pop_out(page)
    status = window.get_by_test_id("chat-status")
    expect(status).to_have_text(f"Authenticated as {sub}")

    authorize = next(r for r in seen if r.url.startswith(legacy.authorization_endpoint() + "?"))
    query = parse_qs(urlsplit(authorize.url).query)
    assert "state" not in query
    window_uri, _, window_query = query["redirect_uri"][0].partition("?")
    assert window_uri == legacy.standin.url + contract.POPOUT_WINDOW_PATH
    configuration = json.loads(parse_qs(window_query)["lpUnifiedWindowConfig"][0])
    assert configuration["accountId"] == contract.STANDIN_ACCOUNT
    # The token request named LivePerson's own redirect URI, not the window's.
    exchange = next(e for e in legacy.exchanges() if e["channel"] == "popout")
    assert exchange["received"]["redirect_uri"] == contract.DEFAULT_REDIRECT_URI
    assert exchange["result"]["sub"] == sub

    say(window, "Hello from the legacy window.")
    legacy.agent_says(conversation_id(window), "Hello back.")
    expect(thread(window).filter(has_text="Hello back.")).to_have_attribute("data-from", "agent")
    shots.take(window, "legacy-popout-conversation")


def test_an_altered_window_configuration_is_refused(
        context: BrowserContext, page: Page, legacy: Brand, shots: Shots) -> None:
    log_in(page, legacy.web)
    open_chat(page)
    before = len(legacy.exchanges())

    def tamper(route: Route) -> None:  # the code comes back with another window's configuration
        answer = route.fetch(max_redirects=0)
        location = answer.headers["location"]
        route.fulfill(status=302, headers={"Location": location.replace("nonce", "n0nce", 1)})

    context.route(legacy.authorization_endpoint() + "?*", tamper)
    window = pop_out(page)
    status = window.get_by_test_id("chat-status")
    expect(status).to_have_attribute("data-state", "failed")
    expect(status).to_contain_text("lpUnifiedWindowConfig")
    shots.take(window, "legacy-altered-configuration-refused")
    assert len(legacy.exchanges()) == before  # the code was sent nowhere
