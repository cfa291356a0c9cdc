"""LivePerson's legacy openID connector, for a client registered for it
(`create-client --liveperson-connector openid`, backend/protocol/redirection.py).

Its pop-out window adds its parameters to redirect_uri as a query, and its token request sends
another registered redirect URI (`https://liveperson.net` by default); its implicit flow asks
for `response_type=token`. For that client only, a registered URI without a query may carry
one, and the token request may name any registered URI. Every other client keeps RFC 6749's
exact matching and the code's binding to its redirect URI; PKCE stays per client.
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from backend.db import get_db
from backend.models import Client
from backend.protocol import parameters
from shared.pkce import challenge_of
from tests.backend.test_authorize import login_through_form
from tests.support.backend_app import (
    CLIENT_ID,
    CLIENT_SECRET,
    another_process,
    basic,
    bearer,
    login,
    redeem,
    snapshot,
    verify_id_token,
)

AUTHORIZE = "/oauth2/v3/authorize"
USERINFO = "/oauth2/v3/userinfo"
WINDOW = "https://lpcdn.lpsnmedia.net/le_unified_window/index.html"
DEFAULT = "https://liveperson.net"
REGISTERED = [DEFAULT, DEFAULT + "/", WINDOW]
LEGACY, LEGACY_SECRET = "lp-legacy", "legacy-client-secret"
RFC, RFC_SECRET = "lp-rfc", "rfc-client-secret-0"
STATUS = {"GET": 302, "POST": 303}


def window_config() -> str:
    """What the legacy window adds to its address: its configuration, JSON of about 6 KB,
    URL-encoded once (as LivePerson's pop-out state is, in the RFC version)."""
    config: dict[str, Any] = {"accountId": "12345678", "engagementId": "3605826150",
                              "awkward": 'quotes " \' {} [] ünïcødé & = # + % ? / \\ ;', "entries": []}
    while len(json.dumps(config)) < 6000:
        config["entries"].append({"key": f"sde-{len(config['entries'])}", "value": "a&b=c#d+e"})
    return json.dumps({"lpUnifiedWindowConfig": config}, ensure_ascii=False)


CONFIG = window_config()
WINDOW_WITH_PARAMS = f"{WINDOW}?{urlencode({'lpUnifiedWindowConfig': CONFIG})}"


def register(runner: Any, client_id: str, secret: str, *options: str,
             uris: list[str] = REGISTERED) -> str:
    arguments = ["create-client", "--client-id", client_id, "--secret", secret, *options]
    for uri in uris:
        arguments += ["--redirect-uri", uri]
    result = runner.invoke(args=arguments)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def clients(runner) -> None:
    """The legacy client, and its twin registered the same way without the option."""
    register(runner, LEGACY, LEGACY_SECRET, "--liveperson-connector", "openid")
    register(runner, RFC, RFC_SECRET)


def authorize(client: FlaskClient, client_id: str = LEGACY, method: str = "GET",
              **overrides: str | None):
    params = {"response_type": "code", "client_id": client_id, "redirect_uri": WINDOW_WITH_PARAMS,
              "scope": "openid", "state": "s-1", **overrides}
    params = {name: value for name, value in params.items() if value is not None}
    if method == "POST":
        return client.post(AUTHORIZE, data=MultiDict(params))
    return client.get(AUTHORIZE, query_string=params)


def response_query(location: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(location).query, keep_blank_values=True)


def legacy_code(client: FlaskClient, **overrides: str) -> str:
    login(client)
    response = authorize(client, **overrides)
    assert response.status_code == 302, response.data
    return response_query(response.headers["Location"])["code"][0]


def exchange(client: FlaskClient, code: str, redirect_uri: str = DEFAULT,
             client_id: str = LEGACY, secret: str = LEGACY_SECRET, **form: str):
    return redeem(client, code, headers=basic(client_id, secret), redirect_uri=redirect_uri, **form)


def assert_error(response, error: str) -> None:
    assert response.status_code == 400, response.data
    assert response.json["error"] == error, response.json


def assert_error_page(app, response, before) -> None:
    """RFC 6749 §4.1.2.1: an untrusted redirect URI gets the error page, never a redirect."""
    assert response.status_code == 400, response.headers.get("Location")
    assert "Location" not in response.headers
    assert response.mimetype == "text/html"
    assert snapshot(app) == before


# -- the legacy client ------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_window_parameters_in_redirect_uri_get_the_code_at_that_uri(client, clients, method):
    """The code goes to the whole URI, the window's query unchanged before it; LivePerson
    redeems it naming its default redirect URI, which is registered."""
    assert len(WINDOW_WITH_PARAMS) > 2048  # longer than the limit before legacy support
    login(client)
    response = authorize(client, method=method)
    assert response.status_code == STATUS[method]
    location = response.headers["Location"]
    assert location.startswith(WINDOW_WITH_PARAMS + "&")
    params = response_query(location)
    assert params["lpUnifiedWindowConfig"] == [CONFIG]
    assert params["state"] == ["s-1"]
    body = exchange(client, params["code"][0]).json
    claims = verify_id_token(client, body["id_token"])
    assert claims["aud"] == LEGACY


def test_without_state_too(client, clients):
    """The legacy window's parameters are in redirect_uri: it need not send a state."""
    login(client)
    location = authorize(client, state=None).headers["Location"]
    assert set(response_query(location)) == {"lpUnifiedWindowConfig", "code"}


def test_the_login_detour_comes_back_to_the_whole_uri(client, clients):
    """Not logged in: the login page resumes the request, window parameters included."""
    to_login = authorize(client)
    assert urlsplit(to_login.headers["Location"]).path == "/login"
    back = login_through_form(client, to_login.headers["Location"])
    assert back.status_code == 303
    final = client.get(back.headers["Location"])
    assert final.headers["Location"].startswith(WINDOW_WITH_PARAMS + "&code=")


@pytest.mark.parametrize("presented", [*REGISTERED, WINDOW_WITH_PARAMS],
                         ids=["default", "default-slash", "window", "the-code-s-own"])
def test_the_token_request_may_name_any_registered_uri(client, clients, presented):
    """Any registered URI, exactly, or the authorization request's own (RFC 6749 §4.1.3)."""
    response = exchange(client, legacy_code(client), presented)
    assert response.status_code == 200, response.json
    assert verify_id_token(client, response.json["id_token"])["aud"] == LEGACY


@pytest.mark.parametrize("presented", [
    "https://evil.example/callback",
    "https://liveperson.net/oauth2/code_redirect",  # LivePerson's, but not registered here
    "https://LivePerson.net",
    "https://liveperson.net?x=1",
    WINDOW + "?lpUnifiedWindowConfig=%7B%7D",  # another window query
    WINDOW + "/",
])
def test_an_unregistered_token_redirect_uri_is_invalid_grant(app, client, clients, presented):
    """Nothing changes, and the code still works with a registered URI afterwards."""
    code = legacy_code(client)
    before = snapshot(app)
    response = exchange(client, code, presented)
    assert_error(response, "invalid_grant")
    assert "registered" in response.json["error_description"]
    assert snapshot(app) == before
    assert exchange(client, code).status_code == 200


def test_the_code_is_still_single_use(client, clients):
    """§4.1.2: a second redemption, even naming another registered URI, is invalid_grant
    and revokes the access token of the first."""
    code = legacy_code(client)
    first = exchange(client, code, DEFAULT)
    assert first.status_code == 200
    access_token = first.json["access_token"]
    assert client.get(USERINFO, headers=bearer(access_token)).status_code == 200
    assert_error(exchange(client, code, WINDOW), "invalid_grant")
    assert client.get(USERINFO, headers=bearer(access_token)).status_code == 401


def test_concurrent_redemptions_naming_different_uris_exactly_one_wins(app, client, clients):
    """The consuming UPDATE stays one statement with the registered-URI lookup in it: of
    eight racers naming the three registered URIs and the code's own, one wins."""
    code = legacy_code(client)
    uris = [*REGISTERED, WINDOW_WITH_PARAMS] * 2
    start = threading.Barrier(len(uris))

    def race(uri: str):
        racer = app.test_client()
        start.wait()
        return exchange(racer, code, uri)

    with ThreadPoolExecutor(len(uris)) as pool:
        responses = list(pool.map(race, uris))
    assert sorted(response.status_code for response in responses) == [200] + [400] * 7


def test_another_client_cannot_redeem_the_code(app, client, clients):
    """The relaxation is about redirect URIs only: the code stays bound to its client."""
    code = legacy_code(client)
    before = snapshot(app)
    assert_error(exchange(client, code, DEFAULT, RFC, RFC_SECRET), "invalid_grant")
    assert_error(exchange(client, code, DEFAULT, CLIENT_ID, CLIENT_SECRET), "invalid_grant")
    assert snapshot(app) == before


@pytest.mark.parametrize("redirect_uri", [
    "https://evil.example/callback?lpUnifiedWindowConfig=%7B%7D",
    WINDOW + "/evil?x=1",
    "https://LPCDN.lpsnmedia.net/le_unified_window/index.html?x=1",
    "https://lpcdn.lpsnmedia.net@evil.example/le_unified_window/index.html?x=1",
    "https://lpcdn.lpsnmedia.net/le_unified_window/index.html.evil.example?x=1",
    WINDOW + "?",
    WINDOW + "?x=1#fragment",
    WINDOW + "?x=a b",
    WINDOW + "?x=\u00fc",
    WINDOW + "?x=1\r\nSet-Cookie:%20a=b",
    WINDOW + "?code=injected",
    WINDOW + "?x=1&state=forged",
    WINDOW + "?id_token=injected",
    WINDOW + "?co%64e=injected",  # the name the window decodes
    WINDOW + "?error=access_denied",
])
def test_the_relaxation_is_a_query_on_a_registered_path_only(app, client, clients, redirect_uri):
    """Another host, path or case, an empty query, a fragment, raw spaces or control characters,
    or a name the response itself sets: the error page, no redirect."""
    login(client)
    before = snapshot(app)
    assert_error_page(app, authorize(client, redirect_uri=redirect_uri), before)


def test_only_uris_registered_without_a_query_take_one(app, runner, client):
    """A URI registered with a query keeps exact matching: the added query would change it."""
    uri = "https://rp.example/callback?tenant=a"
    register(runner, "lp-query", LEGACY_SECRET, "--liveperson-connector", "openid", uris=[uri])
    login(client)
    before = snapshot(app)
    response = authorize(client, "lp-query", redirect_uri=uri + "&x=1")
    assert_error_page(app, response, before)
    assert "code" in response_query(authorize(client, "lp-query", redirect_uri=uri).headers["Location"])


def test_a_redirect_uri_longer_than_the_limit_is_refused(app, client, clients):
    """The limit rose to `state`'s, for the window's parameters; past it, a 400 as before."""
    login(client)
    limit = parameters.MAX_LENGTHS["redirect_uri"]
    uri = WINDOW + "?x=" + "a" * (limit - len(WINDOW) - 3 + 1)
    before = snapshot(app)
    assert_error_page(app, authorize(client, redirect_uri=uri), before)
    fits = authorize(client, redirect_uri=uri[:-1]).headers["Location"]
    assert fits.startswith(uri[:-1] + "&code=")


# -- the legacy implicit flow -----------------------------------------------------------------


def test_response_type_token_is_the_legacy_implicit_flow(client, clients):
    """`token`, as the legacy connector asks: the signed id_token in the fragment, after the
    window's query, with `state`; no code is issued."""
    token = login(client)
    me = client.get("/api/me", headers=bearer(token)).json
    location = authorize(client, response_type="token", nonce="n-1").headers["Location"]
    assert location.startswith(WINDOW_WITH_PARAMS + "#")
    assert response_query(location)["lpUnifiedWindowConfig"] == [CONFIG]
    fragment = parse_qs(urlsplit(location).fragment)
    assert set(fragment) == {"id_token", "state"}
    claims = verify_id_token(client, fragment["id_token"][0])
    assert (claims["aud"], claims["sub"], claims["nonce"]) == (LEGACY, me["sub"], "n-1")


def test_legacy_implicit_is_never_put_in_the_query(app, client, clients):
    login(client)
    before = snapshot(app)
    location = authorize(client, response_type="token", response_mode="query").headers["Location"]
    fragment = parse_qs(urlsplit(location).fragment)
    assert fragment["error"] == ["invalid_request"]
    assert "id_token" not in fragment and "id_token" not in location.split("#")[0]
    assert snapshot(app) == before


# -- PKCE stays per client --------------------------------------------------------------------


def test_pkce_rules_are_the_clients(app, runner, client):
    """A legacy client registered with --pkce-required still needs PKCE, and its verifier is
    checked whatever registered URI the token request names."""
    register(runner, LEGACY, LEGACY_SECRET, "--liveperson-connector", "openid", "--pkce-required")
    login(client)
    refused = authorize(client).headers["Location"]
    assert refused.startswith(WINDOW_WITH_PARAMS + "&")
    assert response_query(refused)["error"] == ["invalid_request"]
    verifier = "v" * 64
    code = legacy_code(client, code_challenge=challenge_of(verifier, "S256"),
                       code_challenge_method="S256")
    before = snapshot(app)
    assert_error(exchange(client, code, DEFAULT), "invalid_grant")
    assert_error(exchange(client, code, DEFAULT, code_verifier="w" * 64), "invalid_grant")
    assert snapshot(app) == before
    assert exchange(client, code, DEFAULT, code_verifier=verifier).status_code == 200


# -- every other client: exactly as before ----------------------------------------------------


@pytest.mark.parametrize("client_id", [RFC, CLIENT_ID])
def test_other_clients_refuse_the_window_query(app, client, clients, client_id):
    login(client)
    before = snapshot(app)
    response = authorize(client, client_id)
    assert_error_page(app, response, before)
    assert "compared exactly" in response.text


@pytest.mark.parametrize(("client_id", "secret"), [(RFC, RFC_SECRET), (CLIENT_ID, CLIENT_SECRET)])
def test_other_clients_bind_the_code_to_its_redirect_uri(app, client, clients, client_id, secret):
    """A code issued for the window, redeemed naming another registered URI: invalid_grant."""
    login(client)
    location = authorize(client, client_id, redirect_uri=WINDOW).headers["Location"]
    code = response_query(location)["code"][0]
    before = snapshot(app)
    response = exchange(client, code, DEFAULT, client_id, secret)
    assert_error(response, "invalid_grant")
    assert response.json["error_description"] == (
        "redirect_uri differs from the one the code was issued for.")
    assert snapshot(app) == before
    assert exchange(client, code, WINDOW, client_id, secret).status_code == 200


@pytest.mark.parametrize("client_id", [RFC, CLIENT_ID])
def test_other_clients_get_unsupported_response_type_for_token(app, client, clients, client_id):
    login(client)
    before = snapshot(app)
    location = authorize(client, client_id, redirect_uri=WINDOW, response_type="token").headers["Location"]
    assert location.startswith(WINDOW + "?")
    params = response_query(location)
    assert params["error"] == ["unsupported_response_type"]
    assert params["error_description"] == ["Supported response types: code, id_token."]
    assert snapshot(app) == before


# -- registration -----------------------------------------------------------------------------


def connector_of(app, client_id: str) -> str:
    with app.app_context():
        return get_db().scalar(select(Client.liveperson_connector).where(Client.client_id == client_id))


def test_create_client_stores_the_connector_oauth2_by_default(app, runner, clients):
    assert connector_of(app, LEGACY) == "openid"
    assert connector_of(app, RFC) == "oauth2"
    assert connector_of(app, CLIENT_ID) == "oauth2"


def test_create_client_says_what_openid_loosens(runner):
    output = register(runner, "lp-notice", LEGACY_SECRET, "--liveperson-connector", "openid")
    assert "legacy openID connector" in output
    assert "--pkce-required" in output
    quiet = register(runner, "lp-pkce", LEGACY_SECRET, "--liveperson-connector", "openid",
                     "--pkce-required")
    assert "--pkce-required" not in quiet
    assert "legacy" not in register(runner, "lp-plain", LEGACY_SECRET)


def test_an_unknown_connector_is_refused_and_nothing_written(app, runner):
    before = snapshot(app)
    result = runner.invoke(args=["create-client", "--client-id", "lp-x", "--secret", LEGACY_SECRET,
                                 "--redirect-uri", DEFAULT, "--liveperson-connector", "openid2"])
    assert result.exit_code == 2, result.output
    assert "--liveperson-connector" in result.output
    assert snapshot(app) == before


def test_help_names_both_versions(runner):
    text = " ".join(runner.invoke(args=["create-client", "--help"]).output.split())
    assert "--liveperson-connector [oauth2|openid]" in text
    assert "default: oauth2" in text


@pytest.mark.parametrize(("connector", "shown"), [("oauth2", "OAuth 2 RFC"),
                                                  ("openid", "openID (legacy)")])
def test_liveperson_config_shows_the_version(app, connector, shown):
    """liveperson-config prints the connector version LivePerson's client needs."""
    other = another_process(app, LIVEPERSON_CLIENT_ID="lp-config")
    runner = other.test_cli_runner()
    register(runner, "lp-config", LEGACY_SECRET, "--liveperson-connector", connector)
    output = runner.invoke(args=["liveperson-config"]).output
    # An indented row of the "What to know" section.
    (row,) = [line.strip() for line in output.splitlines() if line.strip().startswith("Connector version")]
    assert row.split(None, 2)[2] == f"{shown} (--liveperson-connector {connector})"


def test_seed_demo_creates_a_legacy_demo_client_on_request(app):
    """seed-demo keeps oauth2 by default; --liveperson-connector openid makes the demo client
    legacy, and changes nothing on an existing client (it says so when asked)."""
    other = another_process(app, LIVEPERSON_CLIENT_ID="lp-demo-legacy")
    runner = other.test_cli_runner()
    first = runner.invoke(args=["seed-demo", "--liveperson-connector", "openid"])
    assert first.exit_code == 0, first.output
    assert "openID (legacy)" in first.output
    assert connector_of(app, "lp-demo-legacy") == "openid"
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0, again.output
    assert "openID (legacy)" in again.output and "changed nothing" not in again.output
    asked = runner.invoke(args=["seed-demo", "--liveperson-connector", "oauth2"])
    assert asked.exit_code == 0, asked.output
    assert "--liveperson-connector oauth2 changed nothing" in asked.output
    assert connector_of(app, "lp-demo-legacy") == "openid"
    # The demo client the suite seeds with no option is oauth2.
    assert connector_of(app, CLIENT_ID) == "oauth2"
