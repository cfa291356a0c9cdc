"""The customer's consent to Consumer Delegation (OpenID Connect Core 1.0 §3.1.2.4): the consent
page after the login and before the code, for the brand's API scopes a client that is not
first-party asks for; remembered per customer and client; Deny sends `access_denied`; the app
API grants only what was allowed; the account page lists the clients with access and revokes
them, with their refresh tokens."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from backend.db import get_db
from backend.models import Consent, LoginSession
from backend.models.base import utcnow
from tests.backend.test_refresh_token import assert_refused_at_the_api
from tests.backend.test_token import assert_oauth_error
from tests.support.backend_app import (
    CLIENT_ID,
    DELEGATED_SCOPE,
    REDIRECT_URI,
    answer_consent,
    authorize,
    basic,
    delegated_tokens,
    form_field,
    issue_code,
    login,
    orders,
    redeem,
    redirect_params,
    refresh,
    snapshot,
)


def consents(app: Flask) -> int:
    with app.app_context():
        return get_db().scalar(select(func.count()).select_from(Consent))


# -- the page ---------------------------------------------------------------------------------


def test_the_page_is_shown_after_the_login_and_before_the_code(client):
    login(client)
    page = authorize(client)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Allow LivePerson to act for you?" in html  # the client's name, not its id
    assert "See your orders" in html and "orders.read" in html
    assert "demo@example.com" in html
    assert form_field(html, "csrf_token")
    # Protected like the login page: never framed, never cached, no referrer.
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"


def test_a_customer_not_logged_in_logs_in_first(client):
    response = authorize(client)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_allow_issues_the_code_and_is_remembered(app, client):
    login(client)
    allowed = answer_consent(client, authorize(client))
    assert allowed.status_code == 303  # after a POST (RFC 9110 §15.4.4)
    assert allowed.headers["Location"].startswith(REDIRECT_URI + "?")
    params = redirect_params(allowed)
    assert params["state"] == "st"
    assert redeem(client, params["code"]).json["scope"] == DELEGATED_SCOPE
    assert consents(app) == 1
    # Asked once: the next request goes straight to the client.
    again = authorize(client, state="second")
    assert again.status_code == 302
    assert redirect_params(again)["state"] == "second"
    assert "code" in redirect_params(again)


def test_the_state_comes_back_unchanged_through_the_page(client):
    """LivePerson's several-KB state survives the form (it is HTML-escaped, then posted)."""
    state = '{"a": "<&>\'\\"", "b": "' + "x" * 6000 + '"}'
    login(client)
    allowed = answer_consent(client, authorize(client, state=state))
    assert redirect_params(allowed)["state"] == state


def test_deny_sends_access_denied_and_changes_nothing(app, client):
    """RFC 6749 §4.1.2.1: the resource owner denied the request."""
    login(client)
    page = authorize(client)
    before = snapshot(app)
    denied = answer_consent(client, page, decision="deny")
    assert denied.status_code == 303
    params = redirect_params(denied)
    assert params["error"] == "access_denied"
    assert params["state"] == "st"
    assert "code" not in params
    assert snapshot(app) == before
    assert authorize(client).status_code == 200  # asked again next time


def test_prompt_consent_asks_again(client):
    login(client)
    answer_consent(client, authorize(client))
    page = authorize(client, prompt="consent")
    assert page.status_code == 200
    allowed = answer_consent(client, page)
    assert "code" in redirect_params(allowed)  # no loop: the answer goes on to the code


def test_prompt_none_gets_consent_required(app, client):
    """OpenID Connect Core §3.1.2.6: no page may be shown."""
    login(client)
    before = snapshot(app)
    response = authorize(client, prompt="none")
    assert response.status_code == 302
    assert redirect_params(response)["error"] == "consent_required"
    assert snapshot(app) == before


def test_a_first_party_client_is_not_asked(client, runner):
    result = runner.invoke(args=["create-client", "--client-id", "brand-app", "--secret", "b" * 20,
                                 "--redirect-uri", REDIRECT_URI, "--delegation-scope", "orders.read",
                                 "--first-party"])
    assert result.exit_code == 0, result.output
    login(client)
    response = authorize(client, client_id="brand-app")
    assert response.status_code == 302
    tokens = redeem(client, redirect_params(response)["code"], headers=basic("brand-app", "b" * 20))
    assert tokens.json["scope"] == DELEGATED_SCOPE
    assert "refresh_token" in tokens.json


def test_identity_scopes_need_no_consent(client):
    """LivePerson is a client the brand registered: its consumer authentication asks nothing."""
    login(client)
    assert authorize(client, scope="openid profile email").status_code == 302


def test_the_implicit_flow_carries_no_api_scope_and_asks_nothing(client):
    login(client)
    response = authorize(client, response_type="id_token", nonce="n")
    assert response.status_code == 302
    assert "#id_token=" in response.headers["Location"]


# -- what the form refuses ----------------------------------------------------------------------


def consent_form(client: FlaskClient, **changes: str) -> dict[str, str]:
    html = authorize(client).get_data(as_text=True)
    form = {"csrf_token": form_field(html, "csrf_token"),
            "authorization_request": form_field(html, "authorization_request"),
            "decision": "allow"}
    return {**form, **changes}


def assert_error_page(response, words: str) -> None:
    assert response.status_code == 400, response.data
    assert response.mimetype == "text/html"
    assert "Location" not in response.headers
    assert words in response.get_data(as_text=True)


@pytest.mark.parametrize(("changes", "words"), [
    pytest.param({"csrf_token": ""}, "form has expired", id="no-csrf-token"),
    pytest.param({"csrf_token": "forged"}, "form has expired", id="forged-csrf-token"),
    pytest.param({"decision": "maybe"}, "decision must be", id="unknown-decision"),
    pytest.param({"authorization_request": urlencode({
        "response_type": "code", "client_id": CLIENT_ID, "redirect_uri": "https://evil.example/cb",
        "scope": DELEGATED_SCOPE})}, "not registered", id="foreign-redirect-uri"),
    pytest.param({"authorization_request": "client_id=nobody&redirect_uri=https%3A%2F%2Fliveperson.net"},
                 "No client", id="unknown-client"),
    pytest.param({"authorization_request": "client_id=a%00b"}, "NUL", id="nul-inside"),
    pytest.param({"authorization_request": "state=" + "x" * 12001}, "at most 12000", id="long-state-inside"),
])
def test_a_bad_answer_gets_the_error_page_and_changes_nothing(app, client, changes, words):
    """CSRF-protected like the login form; the request it answers is validated again, and one
    that would redirect somewhere unsafe gets the error page, never a redirect."""
    login(client)
    form = consent_form(client, **changes)
    before = snapshot(app)
    assert_error_page(client.post("/consent", data=form), words)
    assert snapshot(app) == before


def test_an_error_inside_a_safe_request_goes_back_to_the_client(app, client):
    login(client)
    form = consent_form(client, authorization_request=urlencode({
        "response_type": "code", "client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI,
        "scope": "orders.read", "state": "st"}))
    before = snapshot(app)
    response = client.post("/consent", data=form)
    assert redirect_params(response)["error"] == "invalid_scope"
    assert snapshot(app) == before


def test_a_customer_logged_out_meanwhile_logs_in_first(app, client):
    """The login session ended on the server (it expired) while the browser kept the form."""
    login(client)
    form = consent_form(client)
    with app.app_context():
        get_db().execute(update(LoginSession).values(expires_at=utcnow()))
        get_db().commit()
    before = snapshot(app)
    response = client.post("/consent", data=form)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/login?next=")
    assert snapshot(app) == before


def test_a_double_allow_stores_one_consent(app, client):
    login(client)
    form = consent_form(client)
    for _ in range(2):
        assert "code" in redirect_params(client.post("/consent", data=form))
    assert consents(app) == 1


# -- the app API (/api/liveperson/code) ---------------------------------------------------------


def app_code_scope(client: FlaskClient, **body: str) -> str:
    token = login(client)
    response = client.post("/api/liveperson/code", json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.json
    tokens = redeem(client, response.json["code"]).json
    assert tokens["scope"] == response.json["scope"]
    assert ("refresh_token" in tokens) == ("orders.read" in tokens["scope"])
    return response.json["scope"]


def test_the_app_api_grants_api_scopes_only_once_allowed(client):
    """No page can be shown there: before the customer allowed it, orders.read is left out."""
    assert app_code_scope(client, scope="orders.read") == "openid profile email phone"
    answer_consent(client, authorize(client))
    assert app_code_scope(client, scope="orders.read") == "openid profile email phone orders.read"


def test_the_app_api_grants_nothing_more_without_a_scope(client):
    login(client)
    answer_consent(client, authorize(client))
    assert app_code_scope(client) == "openid profile email phone"
    assert app_code_scope(client, scope="orders.write payments") == "openid profile email phone"


def test_the_app_api_grants_a_first_party_client_without_consent(app, client, runner):
    result = runner.invoke(args=[
        "create-client", "--client-id", "brand-app", "--secret", "b" * 20, "--redirect-uri",
        REDIRECT_URI, "--delegation-scope", "orders.read", "--first-party"])
    assert result.exit_code == 0, result.output
    app.config["LIVEPERSON_CLIENT_ID"] = "brand-app"
    token = login(client)
    response = client.post("/api/liveperson/code", json={"scope": "orders.read"},
                           headers={"Authorization": f"Bearer {token}"})
    assert response.json["scope"] == "openid profile email phone orders.read"


# -- the account page -----------------------------------------------------------------------------


def account_page(client: FlaskClient) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def revoke_form(page: str, client_id: str = CLIENT_ID) -> dict[str, str]:
    match = re.search(r'data-testid="access-' + re.escape(client_id) + r'".*?</form>', page, re.S)
    assert match, page
    return {"csrf_token": form_field(match.group(0), "csrf_token"),
            "client_id": form_field(match.group(0), "client_id")}


def test_the_account_page_lists_the_client_and_revoke_ends_its_access(app, client):
    tokens = delegated_tokens(client)
    page = account_page(client)
    assert "LivePerson" in page and "See your orders" in page
    response = client.post("/access/revoke", data=revoke_form(page))
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert 'data-testid="no-access"' in account_page(client)
    assert consents(app) == 0
    # Its refresh tokens are refused, and so are the access tokens issued with them.
    assert_oauth_error(refresh(client, tokens["refresh_token"]), 400, "invalid_grant")
    assert_refused_at_the_api(client, tokens["access_token"])
    # And the consent page asks again.
    assert authorize(client).status_code == 200


def test_revoke_spares_other_customers_and_identity_tokens(app, client, runner):
    """Only this customer's delegated grants of this client: another customer's delegation, and
    this customer's consumer authentication tokens (no API scope), stay."""
    result = runner.invoke(args=["create-user", "ann@example.com", "--password", "ann-password"])
    assert result.exit_code == 0, result.output
    ann = app.test_client()
    login(ann, "ann@example.com", "ann-password")
    anns = redeem(ann, redirect_params(answer_consent(ann, authorize(ann)))["code"]).json
    delegated_tokens(client)
    identity = redeem(client, issue_code(client)).json["access_token"]

    assert client.post("/access/revoke", data=revoke_form(account_page(client))).status_code == 303

    assert orders(ann, anns["access_token"]).status_code == 200
    assert client.get("/oauth2/v3/userinfo",
                      headers={"Authorization": f"Bearer {identity}"}).status_code == 200


def test_a_first_party_client_with_a_refresh_token_is_listed_too(client, runner):
    result = runner.invoke(args=["create-client", "--client-id", "brand-app", "--secret", "b" * 20,
                                 "--redirect-uri", REDIRECT_URI, "--delegation-scope", "orders.read",
                                 "--first-party", "--name", "Brand app"])
    assert result.exit_code == 0, result.output
    login(client)
    code = redirect_params(authorize(client, client_id="brand-app"))["code"]
    tokens = redeem(client, code, headers=basic("brand-app", "b" * 20)).json
    page = account_page(client)
    assert "Brand app" in page
    client.post("/access/revoke", data=revoke_form(page, "brand-app"))
    assert_oauth_error(refresh(client, tokens["refresh_token"], headers=basic("brand-app", "b" * 20)),
                       400, "invalid_grant")


@pytest.mark.parametrize("change", ["no-csrf", "unknown-client", "logged-out"])
def test_a_revoke_that_cannot_apply_changes_nothing(app, client, change):
    delegated_tokens(client)
    form = revoke_form(account_page(client))
    if change == "no-csrf":
        form["csrf_token"] = ""
    elif change == "unknown-client":
        form["client_id"] = "nobody"
    before = snapshot(app)
    if change == "logged-out":
        with client.session_transaction() as session:
            session.pop("_user_id")
    response = client.post("/access/revoke", data=form)
    assert response.status_code == (400 if change == "no-csrf" else 303)
    if change == "logged-out":
        assert urlsplit(response.headers["Location"]).path == "/login"
    assert snapshot(app) == before


def test_nothing_listed_before_any_consent(client):
    login(client)
    assert 'data-testid="no-access"' in account_page(client)


def test_the_consent_page_keeps_every_parameter(client):
    """The hidden request is the authorization request as sent, nonce and PKCE included."""
    login(client)
    html = authorize(client, nonce="n-1", code_challenge="E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                     code_challenge_method="S256").get_data(as_text=True)
    kept = parse_qs(form_field(html, "authorization_request"))
    assert kept["nonce"] == ["n-1"]
    assert kept["code_challenge_method"] == ["S256"]
