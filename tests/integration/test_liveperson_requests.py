"""The requests LivePerson really sends, byte for byte, to the real gunicorn server:
the token request in both credential styles for every redirect URI form, and the pop-out
window's authorization request with its several-KB `state`."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs, parse_qsl, urlencode, urljoin, urlsplit

import pytest
import requests

from tests.support.http_api import (
    CLIENT_ID,
    CLIENT_SECRET,
    POPOUT_URI,
    TIMEOUT,
    api_login,
    html_login,
    issue_code,
    verify_id_token,
)

REDIRECT_URIS = (
    "https://liveperson.net",
    "https://liveperson.net/",
    "https://liveperson.net/oauth2/code_redirect",
    POPOUT_URI,
)
BROWSER_ORIGIN = "http://127.0.0.1:8001"
GUNICORN_DEFAULT_LIMIT_REQUEST_LINE = 4094


def token_request(base: str, code: str, redirect_uri: str, style: str) -> requests.Response:
    """POST /oauth2/v3/token exactly as LivePerson does: form-encoded, credentials in a
    Basic header or in the body."""
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if style == "basic":
        raw = f"{CLIENT_ID}:{CLIENT_SECRET}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(raw).decode()
    else:
        form.update(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    return requests.post(f"{base}/oauth2/v3/token", data=urlencode(form), headers=headers,
                         timeout=TIMEOUT)


def assert_liveperson_accepts(base: str, issuer: str, response: requests.Response) -> None:
    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Pragma"] == "no-cache"
    body = response.json()
    assert body["token_type"] == "Bearer"
    header, claims = verify_id_token(base, body["id_token"])
    assert header["alg"] == "RS256" and header["kid"]
    assert claims["iss"] == issuer
    assert claims["aud"] == CLIENT_ID
    assert claims["sub"]
    assert isinstance(claims["iat"], int) and isinstance(claims["exp"], int)
    assert isinstance(claims["lp_sdes"], list) and claims["lp_sdes"]


@pytest.mark.parametrize("style", ["basic", "body"])
@pytest.mark.parametrize("redirect_uri", REDIRECT_URIS)
def test_liveperson_token_request(live_backend, redirect_uri, style):
    """App code from /api/liveperson/code, redeemed as LivePerson does: 200 + verifiable id_token."""
    session_token = api_login(live_backend.url)
    code = issue_code(live_backend.url, session_token, redirect_uri=redirect_uri)
    response = token_request(live_backend.url, code, redirect_uri, style)
    assert_liveperson_accepts(live_backend.url, live_backend.url, response)


def popout_state() -> str:
    """A `state` shaped like LivePerson's: {"lpUnifiedWindowConfig": {...}}, about 6 KB, with
    characters that need percent-encoding."""
    config = {
        "accountId": "12345678",
        "engagementId": "3466339830",
        "windowId": "2930486230",
        "origin": BROWSER_ORIGIN,
        "note": "a+b c&d=e#f?g/h%20 ünïcödé \"quoted\"",
        "sdes": [{"type": "ctmrinfo", "info": {"customerId": f"C{n:04d}", "ctype": "vip"}}
                 for n in range(90)],
    }
    state = json.dumps({"lpUnifiedWindowConfig": config}, separators=(",", ":"))
    assert 5000 < len(state.encode()) < 8000
    return state


def popout_authorize_url(base: str, state: str) -> str:
    query = urlencode({
        "response_type": "code",
        "client_id": CLIENT_ID,
        "scope": "openid",
        "redirect_uri": POPOUT_URI,
        "state": state,
        "parentWindowOrigin": BROWSER_ORIGIN,
    })
    url = f"{base}/oauth2/v3/authorize?{query}"
    # Without this, the test would not show that gunicorn's request-line limit is lifted.
    assert len(urlsplit(url).path) + len(query) > GUNICORN_DEFAULT_LIMIT_REQUEST_LINE
    return url


def assert_popout_answer(base: str, issuer: str, answer: requests.Response, state: str) -> None:
    """The redirect goes to the pop-out window with a code and the state unchanged, and the
    code redeems."""
    assert answer.status_code == 302, answer.text[:500]
    location = answer.headers["Location"]
    assert location.startswith(POPOUT_URI + "?")
    params = parse_qs(urlsplit(location).query, keep_blank_values=True, strict_parsing=True)
    assert params["state"] == [state]
    assert params["state"][0].encode() == state.encode()
    (code,) = params["code"]
    assert_liveperson_accepts(base, issuer, token_request(base, code, POPOUT_URI, "body"))


def test_popout_authorize_logged_in(live_backend):
    """A logged-in customer: the ~6 KB authorization URL goes straight back with code + state."""
    state = popout_state()
    with requests.Session() as browser:
        assert html_login(browser, f"{live_backend.url}/login").status_code == 303
        answer = browser.get(popout_authorize_url(live_backend.url, state),
                             allow_redirects=False, timeout=TIMEOUT)
        assert_popout_answer(live_backend.url, live_backend.url, answer, state)


def test_popout_authorize_logged_out_goes_through_login(live_backend):
    """Logged out: authorize -> /login?next=... -> HTML login -> 303 back -> code + state."""
    state = popout_state()
    url = popout_authorize_url(live_backend.url, state)
    with requests.Session() as browser:
        to_login = browser.get(url, allow_redirects=False, timeout=TIMEOUT)
        assert to_login.status_code == 302, to_login.text[:500]
        login_url = urljoin(url, to_login.headers["Location"])
        assert urlsplit(login_url).path == "/login"

        logged_in = html_login(browser, login_url)
        assert logged_in.status_code == 303, logged_in.text[:500]
        back = urljoin(login_url, logged_in.headers["Location"])
        assert urlsplit(back)[:3] == urlsplit(url)[:3]
        assert parse_qsl(urlsplit(back).query) == parse_qsl(urlsplit(url).query)

        answer = browser.get(back, allow_redirects=False, timeout=TIMEOUT)
        assert_popout_answer(live_backend.url, live_backend.url, answer, state)
