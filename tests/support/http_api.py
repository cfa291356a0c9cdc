"""Helpers that talk to a running backend over HTTP as its callers do: the brand's apps, a
browser with the login form, and LivePerson verifying the id_token (tests/integration,
tests/scale; the servers themselves come from servers.py)."""

from __future__ import annotations

import re
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import jwt
import requests

from backend.cli import DEMO_CLIENT_SECRET, DEMO_USER

CLIENT_ID = "liveperson-demo"
CLIENT_SECRET = DEMO_CLIENT_SECRET
EMAIL = DEMO_USER["email"]
PASSWORD = DEMO_USER["password"]
POPOUT_URI = "http://127.0.0.1:8002/le_unified_window/index.html"
REDIRECT_URI = "https://liveperson.net"
DELEGATED_SCOPE = "openid orders.read"  # the demo client may be granted the brand API's orders.read
TIMEOUT = 15  # seconds any single HTTP request may take before the test errors out


# -- helpers: the brand's apps, a browser, and LivePerson ---------------------------------


def api_login(base: str, email: str = EMAIL, password: str = PASSWORD) -> str:
    """POST /api/session as the brand's app does; returns the session token."""
    response = requests.post(f"{base}/api/session", json={"email": email, "password": password},
                             timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    return response.json()["session_token"]


def issue_code(base: str, session_token: str, **body: str) -> str:
    """POST /api/liveperson/code as the brand's app does when the SDK asks for a code."""
    response = requests.post(f"{base}/api/liveperson/code", json=body,
                             headers={"Authorization": f"Bearer {session_token}"},
                             timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    return response.json()["code"]


def hidden_field(page: str, name: str) -> str:
    match = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', page)
    assert match, f"no hidden {name} field in:\n{page}"
    return unescape(match.group(1))


def html_login(browser: requests.Session, login_url: str) -> requests.Response:
    """Fill in the HTML login form at `login_url` (which may carry `next`) as a browser would;
    returns the answer to the POST, not followed."""
    page = browser.get(login_url, timeout=TIMEOUT)
    assert page.status_code == 200, page.text
    form = {
        "csrf_token": hidden_field(page.text, "csrf_token"),
        "next": hidden_field(page.text, "next"),
        "email": EMAIL,
        "password": PASSWORD,
    }
    return browser.post(urljoin(login_url, "/login"), data=form, allow_redirects=False,
                        timeout=TIMEOUT)


def fetch_key(base: str, token: str) -> jwt.PyJWK:
    """The published key the token's kid names."""
    response = requests.get(f"{base}/oauth2/v3/certs", timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    return jwt.PyJWKSet.from_dict(response.json())[jwt.get_unverified_header(token)["kid"]]


def verify_id_token(base: str, token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Verify the RS256 signature against the published JWKS; returns (header, claims), which
    the tests examine themselves."""
    decoded = jwt.decode_complete(token, fetch_key(base, token), algorithms=["RS256"],
                                  options={"verify_aud": False})
    return decoded["header"], decoded["payload"]


class _ProxyClient(requests.Session):
    """A browser as instances behind a TLS-terminating proxy see it: an https issuer makes the
    cookies Secure, the instances serve http on loopback, and this client sends them anyway."""

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        response = super().send(request, **kwargs)
        for cookie in self.cookies:
            cookie.secure = False
        return response


def delegated_tokens(base: str) -> dict[str, Any]:
    """A delegated grant's tokens, as the pop-out window and LivePerson get them: log in with the
    form, Allow on the consent page (when it asks), redeem the code with Basic credentials."""
    browser = _ProxyClient()
    authorization = "/oauth2/v3/authorize?" + urlencode({
        "response_type": "code", "client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI,
        "scope": DELEGATED_SCOPE, "state": "st"})
    logged_in = html_login(browser, f"{base}/login?{urlencode({'next': authorization})}")
    assert logged_in.status_code == 303, logged_in.text
    answer = browser.get(base + authorization, allow_redirects=False, timeout=TIMEOUT)
    if answer.status_code == 200:  # the consent page
        answer = browser.post(f"{base}/consent", allow_redirects=False, timeout=TIMEOUT, data={
            "csrf_token": hidden_field(answer.text, "csrf_token"),
            "authorization_request": hidden_field(answer.text, "authorization_request"),
            "decision": "allow",
        })
    assert answer.status_code in (302, 303), answer.text
    code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
    tokens = requests.post(f"{base}/oauth2/v3/token", auth=(CLIENT_ID, CLIENT_SECRET), timeout=TIMEOUT,
                           data={"grant_type": "authorization_code", "code": code,
                                 "redirect_uri": REDIRECT_URI})
    assert tokens.status_code == 200 and "refresh_token" in tokens.json(), tokens.text
    return tokens.json()


def refresh(base: str, refresh_token: str) -> requests.Response:
    """grant_type=refresh_token as LivePerson sends it, with HTTP Basic client credentials."""
    return requests.post(f"{base}/oauth2/v3/token", auth=(CLIENT_ID, CLIENT_SECRET), timeout=TIMEOUT,
                         data={"grant_type": "refresh_token", "refresh_token": refresh_token})


def orders(base: str, access_token: str) -> requests.Response:
    """The demo brand API, as a bot calls it."""
    return requests.get(f"{base}/api/v1/orders", headers={"Authorization": f"Bearer {access_token}"},
                        timeout=TIMEOUT)


def one_winner(responses: list[requests.Response]) -> dict[str, Any]:
    """Of concurrent uses of one code or refresh token, exactly one succeeds and every other is
    refused with a 400 invalid_grant (no 500): the winner's answer."""
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] + [400] * (len(responses) - 1), [r.text for r in responses]
    for response in responses:
        if response.status_code == 400:
            assert response.json()["error"] == "invalid_grant", response.text
    return next(dict(response.json()) for response in responses if response.status_code == 200)
