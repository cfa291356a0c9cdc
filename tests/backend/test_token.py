"""The token endpoint, `POST /oauth2/v3/token`, as LivePerson calls it (RFC 6749 §2.3, §3.2,
§4.1.3, §5). Every refused request must leave the database exactly as it was."""

from __future__ import annotations

import base64
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, quote_plus, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, text, update
from sqlalchemy.exc import DBAPIError
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse

from backend.db import get_db
from backend.models import AuthorizationCode
from backend.models.base import utcnow
from shared.contract import REDIRECT_URIS as LIVEPERSON_REDIRECT_URIS
from tests.support.backend_app import (
    CLIENT_ID,
    CLIENT_SECRET,
    ISSUER,
    POPOUT_URI,
    REDIRECT_URI,
    basic,
    bearer,
    issue_code,
    login,
    make_app,
    redeem,
    snapshot,
    verify_id_token,
)

TOKEN = "/oauth2/v3/token"
USERINFO = "/oauth2/v3/userinfo"

# RFC 6749 §2.3.1 / Appendix B: Basic credentials are form-urlencoded, then base64-encoded.
ODD_CLIENT_ID = "a b:c"
ODD_SECRET = "x%y+z&=:é secret/?"


def assert_no_cache(response: TestResponse) -> None:
    """§5.1, §5.2: token responses carry no-store and no-cache, successful or not."""
    assert response.headers.get("Cache-Control") == "no-store"
    assert response.headers.get("Pragma") == "no-cache"


def assert_oauth_error(response: TestResponse, status: int, error: str) -> None:
    """§5.2: a JSON object with `error` and `error_description`, never HTML, never a 500."""
    assert response.status_code == status, response.data
    assert response.mimetype == "application/json"
    body = response.json
    assert set(body) == {"error", "error_description"}
    assert body["error"] == error
    assert isinstance(body["error_description"], str) and body["error_description"]
    assert_no_cache(response)


def assert_tokens(client: FlaskClient, response: TestResponse, client_id: str = CLIENT_ID) -> None:
    """§5.1 and the seed's example response: access_token, Bearer, integer expires_in, id_token."""
    assert response.status_code == 200, response.data
    assert response.mimetype == "application/json"
    body = response.json
    assert {"access_token", "token_type", "expires_in", "id_token"} <= set(body)
    assert body["token_type"] == "Bearer"
    assert isinstance(body["expires_in"], int) and not isinstance(body["expires_in"], bool)
    assert body["expires_in"] > 0
    assert isinstance(body["access_token"], str) and body["access_token"]
    claims = verify_id_token(client, body["id_token"])
    assert claims["iss"] == ISSUER
    assert claims["aud"] == client_id
    assert_no_cache(response)


def form_basic(client_id: str, secret: str) -> dict[str, str]:
    """client_secret_basic done right: each part form-urlencoded before base64 (§2.3.1)."""
    raw = f"{quote_plus(client_id)}:{quote_plus(secret)}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


def post_credentials(client_id: str = CLIENT_ID, secret: str = CLIENT_SECRET) -> dict[str, str]:
    return {"client_id": client_id, "client_secret": secret}


def exchange(client: FlaskClient, issued: str, /, headers: dict[str, str] | None = None,
             **form: str) -> TestResponse:
    """`redeem`, where `form` may also replace the issued code."""
    return redeem(client, form.pop("code", issued), headers=headers, **form)


def create_client(runner: Any, client_id: str, secret: str, *uris: str) -> None:
    args = ["create-client", "--client-id", client_id, "--secret", secret]
    for uri in uris or (REDIRECT_URI,):
        args += ["--redirect-uri", uri]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output


def authorize_code(client: FlaskClient, client_id: str, redirect_uri: str = REDIRECT_URI) -> str:
    """A code for any client, through the authorization endpoint (the user is logged in first)."""
    login(client)
    response = client.get("/oauth2/v3/authorize", query_string={
        "client_id": client_id, "redirect_uri": redirect_uri, "response_type": "code",
        "scope": "openid", "state": "s",
    })
    assert response.status_code == 302, response.data
    params = parse_qs(urlsplit(response.headers["Location"]).query)
    assert "code" in params, params
    return params["code"][0]


def expire(app: Flask) -> None:
    """Move every stored code's expiry into the past, as if its lifetime had elapsed."""
    with app.app_context():
        db = get_db()
        db.execute(update(AuthorizationCode).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.commit()


# -- client authentication (§2.3.1) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "form"),
    [
        pytest.param(basic(), {}, id="client_secret_basic"),
        pytest.param({}, post_credentials(), id="client_secret_post"),
        pytest.param(basic(), {"client_id": CLIENT_ID}, id="basic-with-client-id-in-body"),
    ],
)
def test_both_documented_client_authentication_methods_succeed(client, headers, form):
    """LivePerson's docs show both Basic and body credentials; RFC 6749 §2.3.1 allows both (and
    a body client_id that repeats the Basic one, §3.2.1)."""
    code = issue_code(client)
    assert_tokens(client, redeem(client, code, headers=headers, **form))


def test_basic_credentials_are_form_urlencoded_before_base64(client, runner):
    """§2.3.1: id and secret are application/x-www-form-urlencoded inside Basic, so ':' '%' '+'
    and non-ASCII characters survive."""
    create_client(runner, ODD_CLIENT_ID, ODD_SECRET)
    code = authorize_code(client, ODD_CLIENT_ID)
    response = redeem(client, code, headers=form_basic(ODD_CLIENT_ID, ODD_SECRET))
    assert_tokens(client, response, client_id=ODD_CLIENT_ID)


def test_special_characters_in_body_credentials(client, runner):
    """§2.3.1: client_secret_post carries the raw values in the form body."""
    create_client(runner, ODD_CLIENT_ID, ODD_SECRET)
    code = authorize_code(client, ODD_CLIENT_ID)
    response = redeem(client, code, headers={}, **post_credentials(ODD_CLIENT_ID, ODD_SECRET))
    assert_tokens(client, response, client_id=ODD_CLIENT_ID)


def test_basic_credentials_without_urlencoding_are_not_misread(app, client, runner):
    """§2.3.1: the first ':' separates id and secret, so an un-encoded 'a b:c' is another client."""
    create_client(runner, ODD_CLIENT_ID, ODD_SECRET)
    code = authorize_code(client, ODD_CLIENT_ID)
    before = snapshot(app)
    response = redeem(client, code, headers=basic(ODD_CLIENT_ID, ODD_SECRET))
    assert_oauth_error(response, 401, "invalid_client")
    assert snapshot(app) == before


def test_basic_and_body_secret_together_is_invalid_request(app, client):
    """§2.3: a client MUST NOT use more than one authentication method in a request."""
    code = issue_code(client)
    before = snapshot(app)
    response = redeem(client, code, **post_credentials())
    assert_oauth_error(response, 400, "invalid_request")
    assert snapshot(app) == before


def test_body_client_id_contradicting_basic_is_invalid_request(app, client):
    """§2.3.1: with Basic, a client_id in the body may only repeat the authenticated one."""
    code = issue_code(client)
    before = snapshot(app)
    response = redeem(client, code, client_id="someone-else")
    assert_oauth_error(response, 400, "invalid_request")
    assert snapshot(app) == before


@pytest.mark.parametrize(
    ("headers", "form", "challenged"),
    [
        pytest.param(basic(secret="wrong-secret-value"), {}, True, id="basic-wrong-secret"),
        pytest.param(basic(client_id="nobody"), {}, True, id="basic-unknown-client"),
        pytest.param(form_basic(CLIENT_ID, CLIENT_SECRET + "x"), {}, True, id="basic-longer"),
        pytest.param({}, post_credentials(secret="wrong-secret-value"), False, id="post-wrong"),
        pytest.param({}, post_credentials(client_id="nobody"), False, id="post-unknown-client"),
        pytest.param({}, {"client_id": CLIENT_ID}, False, id="post-no-secret"),
        pytest.param({}, {}, False, id="no-credentials"),
    ],
)
def test_failed_client_authentication_is_401_invalid_client(app, client, headers, form,
                                                            challenged):
    """§5.2: invalid_client with 401; `WWW-Authenticate` when (and only when) Basic was used."""
    code = issue_code(client)
    before = snapshot(app)
    response = redeem(client, code, headers=headers, **form)
    assert_oauth_error(response, 401, "invalid_client")
    if challenged:
        assert response.headers["WWW-Authenticate"].startswith("Basic ")
    else:
        assert "WWW-Authenticate" not in response.headers
    assert snapshot(app) == before


# -- request format (§3.2, §4.1.3) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        pytest.param({"grant_type": ""}, 400, "invalid_request", id="grant-type-missing"),
        pytest.param({"grant_type": "client_credentials"}, 400, "unsupported_grant_type",
                     id="client-credentials"),
        pytest.param({"grant_type": "refresh_token"}, 400, "invalid_request",
                     id="refresh-token-without-one"),
        pytest.param({"grant_type": "password"}, 400, "unsupported_grant_type", id="password"),
        pytest.param({"code": ""}, 400, "invalid_request", id="code-missing"),
        pytest.param({"redirect_uri": ""}, 400, "invalid_request", id="redirect-uri-missing"),
        pytest.param({"code": "not-a-code"}, 400, "invalid_grant", id="unknown-code"),
    ],
)
def test_malformed_token_requests(app, client, form, status, error):
    """§5.2: a missing parameter is invalid_request, another grant type unsupported_grant_type,
    an unknown code invalid_grant (§3.1: an empty value counts as absent)."""
    code = issue_code(client)
    before = snapshot(app)
    response = exchange(client, code, **form)
    assert_oauth_error(response, status, error)
    assert snapshot(app) == before


@pytest.mark.parametrize("content_type", ["application/json", "multipart/form-data"])
def test_other_body_formats_are_invalid_request(app, client, content_type):
    """§3.2: the token request is application/x-www-form-urlencoded; JSON and multipart bodies
    (which the framework would otherwise read as a form) are refused."""
    code = issue_code(client)
    before = snapshot(app)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}
    if content_type == "application/json":
        response = client.post(TOKEN, json=form, headers=basic())
    else:
        response = client.post(TOKEN, data=form, headers=basic(), content_type=content_type)
    assert_oauth_error(response, 400, "invalid_request")
    assert snapshot(app) == before


@pytest.mark.parametrize("name", ["grant_type", "code", "redirect_uri", "client_id",
                                  "code_verifier"])
def test_repeated_parameter_is_invalid_request(app, client, name):
    """§3.2: request and response parameters MUST NOT be included more than once."""
    code = issue_code(client)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
            "client_id": CLIENT_ID, "code_verifier": "v" * 43}
    data = [(key, value) for key, value in form.items() if key != name]
    data += [(name, form[name]), (name, form[name] + "x")]
    before = snapshot(app)
    response = client.post(TOKEN, data=MultiDict(data), headers=basic())
    assert_oauth_error(response, 400, "invalid_request")
    assert snapshot(app) == before


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_other_methods_are_405_json(client, method):
    """§3.2: the client MUST use POST; the refusal is JSON (an OAuth library parses it), not HTML."""
    response = client.open(TOKEN, method=method, headers=basic())
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert_oauth_error(response, 405, "invalid_request")


# -- the code's bindings (§4.1.3) -----------------------------------------------------------


@pytest.mark.parametrize("uri", [*LIVEPERSON_REDIRECT_URIS, POPOUT_URI])
def test_every_liveperson_redirect_uri_works_when_the_code_was_issued_for_it(client, uri):
    """LivePerson has sent each of these forms; a code works with the exact URI it was issued for."""
    token = login(client)
    response = client.post("/api/liveperson/code", json={"redirect_uri": uri}, headers=bearer(token))
    assert response.status_code == 200, response.json
    assert response.json["redirect_uri"] == uri
    assert_tokens(client, redeem(client, response.json["code"], redirect_uri=uri))


@pytest.mark.parametrize(
    ("issued_for", "presented"),
    [
        ("https://liveperson.net", "https://liveperson.net/"),
        ("https://liveperson.net/", "https://liveperson.net"),
        ("https://liveperson.net", "https://LivePerson.net"),
        ("https://liveperson.net", "http://liveperson.net"),
        ("https://liveperson.net", "https://liveperson.net?x=1"),
        ("https://liveperson.net/oauth2/code_redirect", "https://liveperson.net/oauth2/code_redirect/"),
        ("https://liveperson.net/oauth2/code_redirect", "https://liveperson.net"),
        (POPOUT_URI, LIVEPERSON_REDIRECT_URIS[3]),
    ],
)
def test_redirect_uri_must_match_exactly(app, client, issued_for, presented):
    """§4.1.3: redirect_uri must be identical to the authorization request's; no normalisation."""
    code = issue_code(client, redirect_uri=issued_for)
    before = snapshot(app)
    assert_oauth_error(redeem(client, code, redirect_uri=presented), 400, "invalid_grant")
    assert snapshot(app) == before
    assert_tokens(client, redeem(client, code, redirect_uri=issued_for))


def test_expired_code_is_invalid_grant(app, client):
    """§4.1.2: codes are short-lived; one past its lifetime is invalid_grant."""
    code = issue_code(client)
    expire(app)
    before = snapshot(app)
    assert_oauth_error(redeem(client, code), 400, "invalid_grant")
    assert snapshot(app) == before


def test_code_lifetime_setting_is_applied(tmp_path):
    """CODE_LIFETIME bounds a code's life: with 0 seconds, a code is already expired."""
    app = make_app(tmp_path, CODE_LIFETIME=0)
    client = app.test_client()
    code = issue_code(client)
    before = snapshot(app)
    assert_oauth_error(redeem(client, code), 400, "invalid_grant")
    assert snapshot(app) == before


def test_reused_code_is_invalid_grant_and_revokes_the_first_tokens(client):
    """§4.1.2, §10.5: a code is single use; on reuse, tokens issued from it are revoked."""
    code = issue_code(client)
    first = redeem(client, code)
    assert_tokens(client, first)
    access_token = first.json["access_token"]
    assert client.get(USERINFO, headers=bearer(access_token)).status_code == 200

    assert_oauth_error(redeem(client, code), 400, "invalid_grant")
    userinfo = client.get(USERINFO, headers=bearer(access_token))
    assert userinfo.status_code == 401
    assert 'error="invalid_token"' in userinfo.headers["WWW-Authenticate"]
    # Still refused afterwards: the consumed code is kept as a tombstone.
    assert_oauth_error(redeem(client, code), 400, "invalid_grant")


def test_concurrent_redemptions_exactly_one_wins(app, client):
    """§4.1.2: of redemptions racing for one code, exactly one consumes it; the
    others get invalid_grant (not a 500), and, the code having leaked, the winner's token is
    revoked. Eight threads released together by a barrier, each with its own connection."""
    code = issue_code(client)
    start = threading.Barrier(8)

    def race(_: int) -> TestResponse:
        racer = app.test_client()
        start.wait()
        return redeem(racer, code)

    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(race, range(8)))
    winners = [response for response in responses if response.status_code == 200]
    assert len(winners) == 1
    assert_tokens(client, winners[0])
    for response in responses:
        if response is not winners[0]:
            assert_oauth_error(response, 400, "invalid_grant")
    assert client.get(USERINFO, headers=bearer(winners[0].json["access_token"])).status_code == 401


def test_code_issued_to_another_client_is_refused_and_stays_usable(app, client, runner):
    """§4.1.3: the code must have been issued to the authenticated client; a foreign client's
    attempt neither succeeds nor burns the owner's code."""
    create_client(runner, "other-client", "other-client-secret")
    code = issue_code(client)
    before = snapshot(app)
    response = redeem(client, code, headers=basic("other-client", "other-client-secret"))
    assert_oauth_error(response, 400, "invalid_grant")
    assert snapshot(app) == before
    assert_tokens(client, redeem(client, code))


def test_owner_cannot_redeem_another_clients_code(app, client, runner):
    """§4.1.3, the other way round: LivePerson's client cannot use a code issued to another."""
    create_client(runner, "other-client", "other-client-secret")
    code = authorize_code(client, "other-client")
    before = snapshot(app)
    assert_oauth_error(redeem(client, code), 400, "invalid_grant")
    assert snapshot(app) == before


# -- robustness ------------------------------------------------------------------------------

HUGE = "A" * 100_000


@pytest.mark.parametrize(
    ("headers", "form", "status", "error"),
    [
        # Values longer than any the backend issues or stores are malformed (request_guard.py).
        pytest.param(None, {"code": HUGE}, 400, "invalid_request", id="code"),
        pytest.param(None, {"redirect_uri": "https://liveperson.net/" + HUGE}, 400,
                     "invalid_request", id="redirect-uri"),
        pytest.param({}, post_credentials(client_id=HUGE), 400, "invalid_request", id="client-id"),
        pytest.param({}, post_credentials(secret=HUGE), 400, "invalid_request", id="secret"),
        pytest.param(basic(secret=HUGE), {}, 400, "invalid_request", id="basic-header"),
        # The others are judged like any other value.
        pytest.param(None, {"grant_type": HUGE}, 400, "unsupported_grant_type", id="grant-type"),
        pytest.param(None, {"code_verifier": HUGE}, 400, "invalid_grant", id="code-verifier"),
        pytest.param(None, {"padding": HUGE}, 200, None, id="unknown-parameter"),
    ],
)
def test_oversized_values_are_refused_cleanly(app, client, headers, form, status, error):
    """No 500 for large values: each is judged like any other value (an unknown parameter is
    ignored, RFC 6749 §3.2), and nothing is written when the request is refused."""
    code = issue_code(client)
    before = snapshot(app)
    response = exchange(client, code, headers=headers, **form)
    if error is None:
        assert_tokens(client, response)
        return
    assert_oauth_error(response, status, error)
    assert snapshot(app) == before


def test_body_over_the_size_limit_is_a_json_error(app, client):
    """A body over MAX_CONTENT_LENGTH is refused as JSON with the no-store headers, not a 500."""
    code = issue_code(client)
    before = snapshot(app)
    response = redeem(client, code, padding="P" * (app.config["MAX_CONTENT_LENGTH"] + 1))
    assert_oauth_error(response, 413, "invalid_request")
    assert snapshot(app) == before


@pytest.mark.parametrize(
    ("authorization", "body", "status", "error"),
    [
        pytest.param("Basic \xff\xfe", None, 401, "invalid_client", id="basic-not-ascii"),
        pytest.param("Basic !!!not-base64!!!", None, 401, "invalid_client", id="basic-garbage"),
        pytest.param("Basic " + base64.b64encode(b"\xff:\xfe").decode(), None, 401,
                     "invalid_client", id="basic-not-utf8"),
        pytest.param("Basic " + base64.b64encode(b"no-colon").decode(), None, 401,
                     "invalid_client", id="basic-no-colon"),
        pytest.param("Basic " + base64.b64encode(b":secret").decode(), None, 401,
                     "invalid_client", id="basic-empty-id"),
        pytest.param("Basic ", None, 401, "invalid_client", id="basic-empty"),
        pytest.param("Bearer abc", None, 401, "invalid_client", id="bearer-scheme"),
        pytest.param(None, b"client_id=liveperson-demo&client_secret=%ff%fe&grant_type=x", 401,
                     "invalid_client", id="body-bad-percent-escape"),
        pytest.param(None, b"client_id=\xff\xfe&client_secret=x&grant_type=x", 401,
                     "invalid_client", id="body-not-utf8"),
        pytest.param(None, b"client_id=a%00b&client_secret=x%00y", 400, "invalid_request",
                     id="body-nul"),
        pytest.param(None, b"&&&===&", 401, "invalid_client", id="body-junk"),
    ],
)
def test_garbage_input_never_causes_a_500(app, client, authorization, body, status, error):
    """§5.2: whatever arrives, the answer is an OAuth error, never a server error."""
    issue_code(client)
    before = snapshot(app)
    headers = {"Authorization": authorization} if authorization is not None else {}
    data = body if body is not None else {"grant_type": "authorization_code", "code": "x",
                                          "redirect_uri": REDIRECT_URI}
    response = client.post(TOKEN, data=data, headers=headers,
                           content_type="application/x-www-form-urlencoded")
    assert_oauth_error(response, status, error)
    assert snapshot(app) == before


# -- a dropped database connection -------------------------------------------------------


def _terminate_other_connections(app: Flask) -> None:
    """What a database restart does to the pooled connections of every process."""
    with app.extensions["db_engine"].connect() as connection:
        connection.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ))


def test_exchange_survives_a_dropped_connection(app, client, database):
    """The exchange sends no liveness ping before its UPDATE (a round trip each time); a pooled
    connection killed meanwhile costs no customer their conversation, and no code is used twice."""
    if database != "postgresql":
        pytest.skip("needs a database server to drop connections")
    assert_tokens(client, redeem(client, issue_code(client)))  # the pool now holds a connection
    code = issue_code(client)
    _terminate_other_connections(app)
    assert_tokens(client, redeem(client, code))
    assert_oauth_error(redeem(client, code), 400, "invalid_grant")


def test_exchange_whose_answer_was_lost_is_not_redone(app, client, database):
    """The connection drops after the UPDATE committed: the stored access token shows it, and
    the same answer's tokens are returned instead of a refusal for a code 'already used'."""
    if database != "postgresql":
        pytest.skip("needs a database server to drop connections")
    code = issue_code(client)
    engine = app.extensions["db_autocommit"]
    dropped = False

    def drop_after_commit(connection: Any, *_: Any) -> None:
        nonlocal dropped
        if not dropped:
            dropped = True
            connection.invalidate()
            raise DBAPIError("UPDATE", None, ConnectionError("gone"), connection_invalidated=True)

    event.listen(engine, "after_execute", drop_after_commit)
    try:
        response = redeem(client, code)
    finally:
        event.remove(engine, "after_execute", drop_after_commit)
    assert dropped
    assert_tokens(client, response)
    assert client.get(USERINFO, headers=bearer(response.json["access_token"])).status_code == 200
