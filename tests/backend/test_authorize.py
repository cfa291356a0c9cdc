"""The authorization endpoint, as LivePerson's pop-out window and OpenID relying parties use it.

RFC 6749 §3.1.2 and §4.1.2.1, OpenID Connect Core §3.1.2: exact redirect URIs, an error page
(never a redirect) for an untrusted client or redirect URI, other errors sent back with
`state`, `state` echoed unchanged whatever its size, 303 after POST, prompt/max_age, and the
login detour that comes back to the request.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pytest
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from tests.support.backend_app import (
    CLIENT_ID,
    EMAIL,
    ISSUER,
    PASSWORD,
    POPOUT_URI,
    REDIRECT_URI,
    login,
    redeem,
    snapshot,
    verify_id_token,
)

AUTHORIZE = "/oauth2/v3/authorize"
LIVEPERSON_WINDOW = "https://lpcdn.lpsnmedia.net/le_unified_window/index.html"
METHODS = ["GET", "POST"]
REDIRECT_STATUS = {"GET": 302, "POST": 303}


def popout_state(encoded_size: int = 8 * 1024) -> str:
    """A state like LivePerson's pop-out window sends: JSON that is ~8 KB once URL-encoded."""
    config: dict[str, Any] = {
        "accountId": "12345678",
        "engagementId": "3605826150",
        "windowId": "1419542730",
        "awkward": 'quotes " and \' braces {} [] ünïcødé ✓ 漢字 & = # + % ? / \\ ; , spaces  ',
        "parentWindowOrigin": "https://www.brand.example",
        "entries": [],
    }
    state = {"lpUnifiedWindowConfig": config}
    index = 0
    while len(quote(json.dumps(state, ensure_ascii=False), safe="")) < encoded_size:
        config["entries"].append({"key": f"sde-{index}", "value": "a&b=c#d+e {\"x\": ü}"})
        index += 1
    return json.dumps(state, ensure_ascii=False)


def request_params(**overrides: str | None) -> dict[str, str]:
    params: dict[str, str | None] = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "scope": "openid",
        "state": "af0ifjsldkj",
        **overrides,
    }
    return {name: value for name, value in params.items() if value is not None}


def authorize(client: FlaskClient, method: str = "GET", params: Any = None, **overrides: str | None):
    params = request_params(**overrides) if params is None else params
    if method == "POST":
        return client.post(AUTHORIZE, data=MultiDict(params))
    return client.get(AUTHORIZE, query_string=params)


def response_params(location: str, part: str) -> dict[str, list[str]]:
    url = urlsplit(location)
    return parse_qs(url.query if part == "query" else url.fragment, keep_blank_values=True)


def single(location: str, part: str = "query") -> dict[str, str]:
    """The parameters of a redirect, asserting each appears once."""
    params = response_params(location, part)
    assert all(len(values) == 1 for values in params.values()), params
    return {name: values[0] for name, values in params.items()}


def login_through_form(client: FlaskClient, login_url: str, password: str = PASSWORD):
    """What a browser does with the login page: read its form, post it back."""
    page = client.get(login_url)
    assert page.status_code == 200
    csrf = re.search(r'name="csrf_token" value="([^"]*)"', page.text)
    next_field = re.search(r'name="next" value="([^"]*)"', page.text)
    assert csrf and next_field
    return client.post("/login", data={
        "email": EMAIL,
        "password": password,
        "csrf_token": html.unescape(csrf.group(1)),
        "next": html.unescape(next_field.group(1)),
    })


# --- refusals that must never redirect ------------------------------------------------------

UNTRUSTED = {
    "unknown client": request_params(client_id="no-such-client"),
    "missing client_id": request_params(client_id=None),
    "missing redirect_uri": request_params(redirect_uri=None),
    "unregistered redirect_uri": request_params(redirect_uri="https://evil.example/callback"),
    "registered URI plus a path": request_params(redirect_uri=REDIRECT_URI + "/evil"),
    "registered URI plus a query": request_params(redirect_uri=REDIRECT_URI + "?x=1"),
    "registered URI, other case": request_params(redirect_uri="https://LivePerson.net"),
    "registered URI of another client": request_params(client_id="no-such-client",
                                                       redirect_uri=REDIRECT_URI),
}
REPEATED = {
    "repeated client_id": [("client_id", CLIENT_ID), ("client_id", CLIENT_ID),
                           ("redirect_uri", REDIRECT_URI), ("response_type", "code"),
                           ("scope", "openid")],
    "repeated redirect_uri": [("client_id", CLIENT_ID), ("redirect_uri", REDIRECT_URI),
                              ("redirect_uri", "https://evil.example/"),
                              ("response_type", "code"), ("scope", "openid")],
}


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("params", [*UNTRUSTED.values(), *REPEATED.values()],
                         ids=[*UNTRUSTED, *REPEATED])
def test_untrusted_client_or_redirect_uri_gets_an_error_page_not_a_redirect(
    app, client, method, params
):
    """unknown client_id, missing/unregistered/repeated redirect_uri -> 400 page, no Location."""
    login(client)
    before = snapshot(app)
    response = authorize(client, method, params=params)
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert response.mimetype == "text/html"
    assert 'data-testid="error-message"' in response.text
    assert "Refresh" not in response.headers
    assert "http-equiv" not in response.text.lower()
    assert 'href="https://evil' not in response.text
    assert snapshot(app) == before


def test_error_page_escapes_what_the_request_sent(client):
    """The error page quotes the client_id; it must not become script (reflected XSS)."""
    response = authorize(client, client_id='<script>alert("x")</script>')
    assert response.status_code == 400
    assert "<script>" not in response.text
    assert "&lt;script&gt;" in response.text


# --- errors sent back to the client ----------------------------------------------------------

REDIRECTED_ERRORS = {
    "missing response_type": ({"response_type": None}, "invalid_request"),
    "response_type=token": ({"response_type": "token"}, "unsupported_response_type"),
    "response_type=code token": ({"response_type": "code token"}, "unsupported_response_type"),
    "scope without openid": ({"scope": "profile email"}, "invalid_scope"),
    "no scope": ({"scope": None}, "invalid_scope"),
    "max_age not a number": ({"max_age": "ten"}, "invalid_request"),
    "max_age negative": ({"max_age": "-1"}, "invalid_request"),
    "max_age fractional": ({"max_age": "1.5"}, "invalid_request"),
    "max_age superscript digit": ({"max_age": "²"}, "invalid_request"),
    "prompt=none login": ({"prompt": "none login"}, "invalid_request"),
    "unknown prompt": ({"prompt": "sometimes"}, "invalid_request"),
    "unknown response_mode": ({"response_mode": "form_post"}, "invalid_request"),
    "repeated scope": ("repeat-scope", "invalid_request"),
    "a request object": ({"request": "eyJhbGciOiJub25lIn0.e30."}, "request_not_supported"),
    "a request_uri": ({"request_uri": "https://client.example/request.jwt"},
                      "request_uri_not_supported"),
}


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(("overrides", "error"), REDIRECTED_ERRORS.values(),
                         ids=REDIRECTED_ERRORS.keys())
def test_other_errors_go_back_to_the_redirect_uri_with_state(app, client, method, overrides, error):
    """errors after the client is trusted redirect with error, error_description, state."""
    login(client)
    before = snapshot(app)
    if overrides == "repeat-scope":
        params: Any = [*request_params().items(), ("scope", "openid email")]
    else:
        params = request_params(**overrides)
    response = authorize(client, method, params=params)
    assert response.status_code == REDIRECT_STATUS[method]
    location = response.headers["Location"]
    assert location.startswith(REDIRECT_URI + "?")
    params = single(location)
    assert params["error"] == error
    assert params["error_description"]
    assert params["state"] == "af0ifjsldkj"
    assert "code" not in params
    assert snapshot(app) == before


def test_errors_for_an_id_token_request_go_in_the_fragment(client):
    """An implicit request's errors use its default response mode, the fragment."""
    response = authorize(client, response_type="id_token", scope="profile")
    location = response.headers["Location"]
    assert urlsplit(location).query == ""
    params = single(location, "fragment")
    assert params["error"] == "invalid_scope"
    assert params["state"] == "af0ifjsldkj"


def test_an_error_keeps_the_big_popout_state_unchanged(client):
    """`state` is echoed exactly on errors too, whatever its size."""
    state = popout_state()
    response = authorize(client, redirect_uri=LIVEPERSON_WINDOW, response_type="token", state=state)
    params = single(response.headers["Location"])
    assert params["error"] == "unsupported_response_type"
    assert params["state"] == state


@pytest.mark.parametrize("max_age", ["9" * 30, "1" + "0" * 5000])
def test_an_absurd_max_age_does_not_crash_the_endpoint(client, max_age):
    """A huge max_age means "no limit" or is refused, never a 500."""
    login(client)
    response = authorize(client, max_age=max_age)
    assert response.status_code == 302
    assert response.headers["Location"].startswith(REDIRECT_URI + "?")


# --- successful responses -----------------------------------------------------------------------

@pytest.mark.parametrize("redirect_uri", [LIVEPERSON_WINDOW, POPOUT_URI])
@pytest.mark.parametrize("method", METHODS)
def test_popout_request_returns_a_code_and_the_state_unchanged(client, method, redirect_uri):
    """The pop-out window: ~8 KB JSON state echoed byte for byte, parentWindowOrigin ignored."""
    login(client)
    state = popout_state()
    response = authorize(client, method, redirect_uri=redirect_uri, state=state,
                         parentWindowOrigin="https://www.brand.example")
    assert response.status_code == REDIRECT_STATUS[method]
    location = response.headers["Location"]
    assert location.startswith(redirect_uri + "?")
    params = single(location)
    assert set(params) == {"code", "state"}
    assert params["state"] == state
    token = redeem(client, params["code"], redirect_uri=redirect_uri)
    assert token.status_code == 200, token.json


@pytest.mark.parametrize("response_type", ["code", "id_token"])
def test_a_redirect_carrying_a_code_or_token_is_never_cached(client, response_type):
    """RFC 6749 §5.1's rule for tokens holds for the redirect that carries one: a shared cache
    (a proxy) must not keep a customer's code or id_token for the next person."""
    login(client)
    response = authorize(client, response_type=response_type)
    assert ("code=" in response.headers["Location"]) or ("id_token=" in response.headers["Location"])
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Pragma"] == "no-cache"


def test_code_is_in_the_query_by_default_and_in_the_fragment_on_request(client):
    """Response modes: code defaults to the query; response_mode=fragment moves it."""
    login(client)
    query = authorize(client).headers["Location"]
    assert "code" in single(query) and urlsplit(query).fragment == ""
    fragment = authorize(client, response_mode="fragment").headers["Location"]
    assert urlsplit(fragment).query == ""
    params = single(fragment, "fragment")
    assert set(params) == {"code", "state"}
    assert redeem(client, params["code"]).status_code == 200


def test_code_carries_the_nonce_into_the_id_token(client):
    """the nonce is stored with the code and echoed in the id_token."""
    login(client)
    location = authorize(client, nonce="n-0S6_WzA2Mj").headers["Location"]
    body = redeem(client, single(location)["code"]).json
    claims = verify_id_token(client, body["id_token"])
    assert claims["nonce"] == "n-0S6_WzA2Mj"


def test_code_flow_works_without_a_nonce(client):
    """no nonce, no nonce claim, and the flow still works."""
    login(client)
    location = authorize(client, state=None).headers["Location"]
    params = single(location)
    assert set(params) == {"code"}
    claims = verify_id_token(client, redeem(client, params["code"]).json["id_token"])
    assert "nonce" not in claims


def test_id_token_response_is_in_the_fragment_and_verifies(client):
    """Implicit flow: a signed id_token in the fragment with iss, aud, nonce, integer times."""
    token = login(client)
    me = client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).json
    response = authorize(client, response_type="id_token", redirect_uri=LIVEPERSON_WINDOW,
                         scope="openid email", nonce="nonce-123")
    location = response.headers["Location"]
    assert location.startswith(LIVEPERSON_WINDOW + "#")
    params = single(location, "fragment")
    assert set(params) == {"id_token", "state"}
    assert params["state"] == "af0ifjsldkj"
    claims = verify_id_token(client, params["id_token"])
    assert claims["iss"] == ISSUER
    assert claims["aud"] == CLIENT_ID
    assert claims["sub"] == me["sub"]
    assert claims["email"] == EMAIL
    assert claims["nonce"] == "nonce-123"
    for name in ("iat", "exp", "auth_time"):
        assert isinstance(claims[name], int) and not isinstance(claims[name], bool)
    assert claims["auth_time"] <= claims["iat"] < claims["exp"]


def test_a_redirect_uri_with_a_query_keeps_it(app, runner):
    """RFC 6749 §3.1.2: the registered URI's query is kept and the response is added to it."""
    uri = "https://rp.example/callback?tenant=a%20b&x=1"
    result = runner.invoke(args=["create-client", "--client-id", "rp", "--secret",
                                 "rp-secret-0123456789", "--redirect-uri", uri])
    assert result.exit_code == 0, result.output
    client = app.test_client()
    login(client)
    location = authorize(client, client_id="rp", redirect_uri=uri).headers["Location"]
    assert location.startswith(uri + "&")
    params = single(location)
    assert params["tenant"] == "a b" and params["x"] == "1"
    assert params["code"] and params["state"] == "af0ifjsldkj"
    error = authorize(client, client_id="rp", redirect_uri=uri, scope="email").headers["Location"]
    assert error.startswith(uri + "&")
    assert single(error)["error"] == "invalid_scope"


def test_unknown_parameters_are_ignored(client):
    """oidcc-ensure-request-with-unknown-parameter-succeeds."""
    login(client)
    location = authorize(client, extra="1", lpUnifiedWindowConfig="{}",
                         parentWindowOrigin="https://www.brand.example").headers["Location"]
    assert set(single(location)) == {"code", "state"}


# --- logging in on the way -----------------------------------------------------------------------

@pytest.mark.parametrize("method", METHODS)
def test_not_logged_in_goes_to_the_login_page_and_comes_back(app, client, method):
    """authenticate first; after the login form, the same request issues the code."""
    state = popout_state()
    before = snapshot(app)
    response = authorize(client, method, redirect_uri=POPOUT_URI, state=state,
                         parentWindowOrigin="http://127.0.0.1:8001")
    assert response.status_code == REDIRECT_STATUS[method]
    login_url = response.headers["Location"]
    assert urlsplit(login_url).path == "/login"
    assert snapshot(app) == before  # nothing issued yet

    resume = parse_qs(urlsplit(login_url).query)["next"][0]
    assert urlsplit(resume).path == AUTHORIZE
    done = login_through_form(client, login_url)
    assert done.status_code == 303
    assert done.headers["Location"] == resume

    final = client.get(resume)
    assert final.status_code == 302
    location = final.headers["Location"]
    assert location.startswith(POPOUT_URI + "?")
    params = single(location)
    assert params["state"] == state
    assert redeem(client, params["code"], redirect_uri=POPOUT_URI).status_code == 200


def test_a_failed_login_on_the_way_keeps_the_request(client):
    """A wrong password shows the form again, still carrying the authorization request."""
    response = authorize(client, state="s1")
    login_url = response.headers["Location"]
    resume = parse_qs(urlsplit(login_url).query)["next"][0]
    failed = login_through_form(client, login_url, password="wrong-password")
    assert failed.status_code == 401
    assert f'value="{html.escape(resume)}"' in failed.text


def test_prompt_none_when_not_logged_in_answers_login_required(app, client):
    """prompt=none never shows a page; login_required goes back with state."""
    before = snapshot(app)
    response = authorize(client, prompt="none", state="xyz")
    location = response.headers["Location"]
    assert location.startswith(REDIRECT_URI + "?")
    params = single(location)
    assert params["error"] == "login_required"
    assert params["state"] == "xyz"
    assert snapshot(app) == before


def test_prompt_none_when_logged_in_issues_a_code(client):
    """oidcc-prompt-none-logged-in."""
    login(client)
    location = authorize(client, prompt="none").headers["Location"]
    assert set(single(location)) == {"code", "state"}


def test_prompt_login_forces_the_login_page_then_completes(app, client):
    """prompt=login re-authenticates even when logged in, without a login loop."""
    login(client)
    sessions_before = len(snapshot(app)["login_sessions"])
    response = authorize(client, prompt="login", state="st")
    login_url = response.headers["Location"]
    assert urlsplit(login_url).path == "/login"
    done = login_through_form(client, login_url)
    assert done.status_code == 303
    assert len(snapshot(app)["login_sessions"]) == sessions_before + 1
    final = client.get(done.headers["Location"])
    location = final.headers["Location"]
    assert location.startswith(REDIRECT_URI + "?"), location
    params = single(location)
    assert set(params) == {"code", "state"} and params["state"] == "st"


@pytest.mark.parametrize("fresh_login", [{"prompt": "login"}, {"max_age": "0"}])
def test_the_resumed_request_cannot_skip_the_login(client, fresh_login):
    """the URL the login page would resume still demands the new login, so a
    logged-in browser cannot open it directly to skip re-authentication; nor with a forged
    or altered login_after marker."""
    login(client)
    login_url = authorize(client, **fresh_login).headers["Location"]
    resumed = parse_qs(urlsplit(login_url).query)["next"][0]
    assert urlsplit(client.get(resumed).headers["Location"]).path == "/login"
    forged = re.sub(r"login_after=[^&]*", "login_after=9999999999", resumed)
    assert urlsplit(client.get(forged).headers["Location"]).path == "/login"


def test_max_age_zero_forces_login_and_a_large_max_age_does_not(client):
    """oidcc-max-age-1 / oidcc-max-age-10000, and no loop after re-authenticating."""
    login(client)
    assert "code" in single(authorize(client, max_age="10000").headers["Location"])
    login_url = authorize(client, max_age="0").headers["Location"]
    assert urlsplit(login_url).path == "/login"
    done = login_through_form(client, login_url)
    location = client.get(done.headers["Location"]).headers["Location"]
    assert "code" in single(location)


def test_popout_uri_is_registered_for_the_demo_client(app):
    """The local LivePerson stand-in's pop-out window is a registered redirect URI."""
    from backend.db import get_db
    from backend.models import Client

    with app.app_context():
        assert POPOUT_URI in get_db().get(Client, CLIENT_ID).redirect_uris


def test_login_redirect_points_back_to_this_site(client):
    """The login detour's `next` is a path on this site, carrying the request's parameters."""
    response = authorize(client, state="a&b=c", nonce="n")
    login_url = urlsplit(response.headers["Location"])
    assert (login_url.scheme, login_url.netloc, login_url.path) == ("", "", "/login")
    resume = parse_qs(login_url.query)["next"][0]
    assert resume.startswith(AUTHORIZE + "?")
    assert parse_qs(urlsplit(resume).query)["state"] == ["a&b=c"]
    assert urlencode({"nonce": "n"}) in resume


def test_an_id_token_is_never_put_in_the_query(app, client):
    """Response modes §2.1: fragment-default responses never use the query (logs, Referer)."""
    login(client)
    before = snapshot(app)
    response = authorize(client, response_type="id_token", response_mode="query")
    location = response.headers["Location"]
    assert urlsplit(location).query == ""
    params = single(location, "fragment")
    assert params["error"] == "invalid_request"
    assert "id_token" not in params
    assert snapshot(app) == before
