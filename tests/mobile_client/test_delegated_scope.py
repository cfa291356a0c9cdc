"""The app asks its codes for the brand API's scope as the website does: once the customer has
allowed LivePerson it (the consent page), the code the SDK hands LivePerson brings LivePerson a
refresh token for its bots (Consumer Delegation); before, the identity only. Against the real
backend; the token endpoint is called as LivePerson calls it."""

from __future__ import annotations

from typing import Any

import requests

from backend.cli import DEMO_CLIENT_SECRET, DEMO_USER
from mobile_client.backend_api import BackendApi
from tests.support import delegation
from tests.support.servers import LiveServer

CLIENT_ID = "liveperson-demo"


def livepersons_exchange(backend: LiveServer, api: BackendApi, session_token: str) -> dict[str, Any]:
    """What LivePerson's token request gets for the code the app hands the SDK."""
    handed = api.sdk_authentication(session_token, "code", pkce=False)
    answer = requests.post(backend.url + "/oauth2/v3/token", auth=(CLIENT_ID, DEMO_CLIENT_SECRET), timeout=10,
                           data={"grant_type": "authorization_code", "code": handed.auth_key,
                                 "redirect_uri": handed.host_app_redirect_uri})
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_the_apps_code_carries_the_api_scope_once_the_customer_allowed_it(backend: LiveServer) -> None:
    api = BackendApi(backend.url)
    session_token = api.log_in(DEMO_USER["email"], DEMO_USER["password"]).session_token

    before = livepersons_exchange(backend, api, session_token)
    assert "orders.read" not in before["scope"].split()
    assert "refresh_token" not in before

    delegation.customer_code(backend, scope="openid orders.read", client_id=CLIENT_ID)  # allows it
    after = livepersons_exchange(backend, api, session_token)
    assert "orders.read" in after["scope"].split()
    assert after["refresh_token"]
