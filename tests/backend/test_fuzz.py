"""Property-based fuzzing of every operation in the OpenAPI description (`backend/openapi.yaml`),
in process through WSGI, on both databases: no answer is a server error, and every answer is
one the description documents, with its content type, body schema and required headers.

Schemathesis generates requests from the description: valid ones, and invalid ones (wrong
types, missing members, values past their limits, unknown parameters, strings with NUL). The
demo user's session, an access token and the LivePerson client's Basic credentials go on every
request that the description says needs them, so the fuzzer reaches past authentication;
requests that drop them test the refusals. Hypothesis is derandomised: CI generates the same
requests every run. Hostile input that generation rarely produces (lone surrogates, JSON a
hundred thousand levels deep, bodies over the size limit, broken encodings) is sent explicitly
to every operation, and so are the successes that random data cannot reach (a real code,
a form with its CSRF token).

To fuzz a new endpoint, describe it in `openapi.yaml`: it is picked up from there. If it needs
credentials of a new kind, add the security scheme there and teach `Credentials.apply` to send
them. `MAX_EXAMPLES` bounds the generated requests per operation.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote_plus, urlencode, urlsplit

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from backend import openapi
from backend.db import get_db
from backend.login.sessions import sign_in
from backend.models import User
from tests.backend.test_openapi import deref, max_length
from tests.support.backend_app import (
    CLIENT_ID,
    CLIENT_SECRET,
    DELEGATED_SCOPE,
    EMAIL,
    ISSUER,
    PASSWORD,
    REDIRECT_URI,
    basic,
    bearer,
    delegated_tokens,
    form_field,
    issue_code,
    login,
    make_app,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# Random requests per operation, valid and invalid together. The documented examples and the
# coverage phase's boundary values come on top; all of it stays well under a minute per
# database on two cores.
MAX_EXAMPLES = 25
CONFIG = SchemathesisConfig.from_dict({
    "seed": 6749,
    "generation": {
        "mode": "all",  # valid requests, and requests the description says are invalid
        "max-examples": MAX_EXAMPLES,
        "deterministic": True,  # derandomised: every run generates the same requests
        "database": "none",  # nothing remembered between runs, nothing written to the tree
    },
    # Sequences of calls linked by the description's `links`: it has none.
    "phases": {"stateful": {"enabled": False}},
})
SESSION_COOKIE = "backend_session"


class Credentials:
    """The demo user's login (as a bearer token and as the cookie), an access token of a
    delegated grant of the LivePerson client, and that client's Basic credentials. The login happens when an
    operation first needs it: it costs an Argon2 hash, which operations without security skip."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    @cached_property
    def _login(self) -> tuple[str, str]:
        client = self.app.test_client()
        token = login(client)
        cookie = client.get_cookie(SESSION_COOKIE)
        assert cookie is not None
        return token, cookie.value

    @property
    def session_token(self) -> str:
        return self._login[0]

    @property
    def session_cookie(self) -> str:
        return self._login[1]

    @cached_property
    def access_token(self) -> str:
        # A delegated grant's (the customer consented): it reaches the brand API's 200 as well.
        return delegated_tokens(self.app.test_client())["access_token"]

    def apply(self, case: Case) -> None:
        """Send what the operation's security requirements ask for."""
        security = case.operation.definition.raw.get("security", [])
        schemes = {scheme for requirement in security for scheme in requirement}
        if "sessionBearer" in schemes:
            case.headers["Authorization"] = f"Bearer {self._session_for(case.operation)}"
        elif "sessionCookie" in schemes:
            case.cookies[SESSION_COOKIE] = self.session_cookie
        if "clientBasic" in schemes:
            case.headers.update(basic())
        if "accessToken" in schemes:
            case.headers.update(bearer(self.access_token))

    def _session_for(self, operation: APIOperation) -> str:
        if operation.label != "DELETE /api/session":
            return self.session_token
        # Logging out ends the session it is given, so each logout gets a session of its own,
        # started by the `sign_in` every login ends with: a password check per request would
        # cost a tenth of a second of Argon2.
        with self.app.test_request_context():
            user = get_db().scalar(select(User).where(User.email == EMAIL))
            assert user is not None
            return sign_in(user)


# Read from the YAML source, which test_openapi.py checks is exactly what GET /openapi.json
# serves; the app each test makes (on SQLite or PostgreSQL) is passed to every call.
SCHEMA = schemathesis.openapi.from_dict(openapi.load(ISSUER), config=CONFIG)


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    # Each failed login costs an Argon2 hash (0.1 to 0.3 s here); past the limit, attempts are
    # refused before any hashing. A low limit per address keeps fuzzing the login endpoints
    # quick, and they still answer both 401 and 429.
    return make_app(tmp_path, LOGIN_MAX_FAILURES_PER_ADDRESS=5)


@pytest.fixture
def demo_user(app: Flask) -> Credentials:
    return Credentials(app)


@SCHEMA.parametrize()
# One app per operation, shared by its examples: each request stands alone, and rate limits
# or sessions it leaves behind are part of what the next one may meet.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_generated_request_is_answered_as_described(
    case: Case, app: Flask, demo_user: Credentials
) -> None:
    # Credentials are added here, not by a schemathesis auth provider: that one runs when the
    # description's examples are turned into requests, at collection, before any app exists.
    # Requests generated without their credentials on purpose keep them off.
    if not case.operation.schema.is_security_param_negated(case):
        demo_user.apply(case)
    case.call_and_validate(checks=CHECKS, app=app)


# -- Explicit requests ---------------------------------------------------------------------

# JSON's \ud800 escape is the only way a lone surrogate reaches the server; \u0000 a NUL.
SURROGATE = "\\ud800"
NUL = "\\u0000"
TOO_DEEP = "[" * 100_000 + "]" * 100_000  # past Python's recursion limit, if parsed recursively
JUST_TOO_DEEP = '{"a": ' + "[" * 9 + "]" * 9 + "}"
OVER_ONE_MIB = b"x" * (1024 * 1024 + 1)


@dataclass(frozen=True)
class Request:
    """One explicit request: what to send beyond the operation's method and path."""

    name: str
    query: dict[str, Any] | None = None
    headers: dict[str, str] | None = None
    cookies: dict[str, str] | None = None
    raw_body: bytes | None = None
    content_type: str | None = None
    authenticated: bool = True

    def describe(self, operation: APIOperation) -> str:
        body = "" if self.raw_body is None else f" body={_shorten(self.raw_body)!r}"
        query = "" if not self.query else f" query={ {k: _shorten(v) for k, v in self.query.items()} }"
        kind = "" if self.content_type is None else f" ({self.content_type})"
        return f"{self.name}: {operation.label}{query}{body}{kind}"


def _shorten(value: str | bytes) -> str | bytes:
    return value if len(value) <= 60 else value[:40] + (b"..." if isinstance(value, bytes) else "...")


def _media_type(operation: APIOperation) -> str | None:
    content = operation.definition.raw.get("requestBody", {}).get("content", {})
    return next(iter(content), None)


def _limits(operation: APIOperation) -> dict[str, tuple[str, int]]:
    """{name: (where, maxLength)} for the operation's query parameters and body members."""
    document = operation.schema.raw_schema
    limits: dict[str, tuple[str, int]] = {}
    for parameter in operation.definition.raw.get("parameters", []):
        parameter = deref(document, parameter)
        if parameter["in"] == "query" and (limit := max_length(document, parameter["schema"])):
            limits[parameter["name"]] = ("query", limit)
    content = operation.definition.raw.get("requestBody", {}).get("content", {})
    for media_type in content.values():
        for name, schema in deref(document, media_type["schema"]).get("properties", {}).items():
            if limit := max_length(document, schema):
                limits[name] = ("body", limit)
    return limits


def _documented_request(operation: APIOperation) -> tuple[dict[str, Any], dict[str, Any]]:
    """The query and body of the operation's documented examples: a request that gets past
    the first checks, so that each hostile change to it is what the answer is about."""
    document = operation.schema.raw_schema
    query = {}
    for parameter in operation.definition.raw.get("parameters", []):
        parameter = deref(document, parameter)
        if parameter["in"] == "query" and "example" in parameter:
            query[parameter["name"]] = parameter["example"]
    content = operation.definition.raw.get("requestBody", {}).get("content", {})
    body = next((media_type.get("example", {}) for media_type in content.values()), {})
    return query, body


def _encode(media_type: str | None, fields: dict[str, Any], raw: dict[str, str] | None = None) -> bytes:
    """`fields` as `media_type`; `raw` values go in as written, for what no encoder produces."""
    marked = {**fields, **{name: f"@@{name}@@" for name in raw or {}}}
    if media_type == "application/json":
        text = json.dumps(marked)
        for name, value in (raw or {}).items():
            text = text.replace(f'"@@{name}@@"', value)
        return text.encode()
    text = urlencode(marked)
    for name, value in (raw or {}).items():
        text = text.replace(quote_plus(f"@@{name}@@"), value)
    return text.encode()


def hostile_requests(operation: APIOperation) -> Iterator[Request]:
    """Requests no client should send, for `operation`; each must get a documented answer.
    Each one is the documented example changed in one way."""
    media_type = _media_type(operation)
    query, body = _documented_request(operation)
    documented = _encode(media_type, body) if media_type is not None else None

    def changed(name: str, **change: Any) -> Request:
        return Request(name, **{"query": query, "raw_body": documented, "content_type": media_type,
                                **change})

    def with_body(name: str, raw: dict[str, str] | None = None, **fields: Any) -> Request:
        return changed(name, raw_body=_encode(media_type, {**body, **fields}, raw))

    yield changed("the documented example")
    yield changed("unknown parameters", query={**query, "unknown": "1", "utm_source": "x" * 10_000})
    yield changed("NUL in a query value", query={**query, "state": "a\x00b"})
    yield changed("NUL in a query name", query={**query, "a\x00b": "1"})
    yield changed("bytes that are not UTF-8 in the query", query={**query, "state": b"\xff\xfe"})
    yield changed("no credentials", authenticated=False)
    yield changed("a forged login cookie", authenticated=False,
                  cookies={SESSION_COOKIE: "eyJfdXNlcl9pZCI6IngifQ.forged.signature"})
    yield changed("a forged device cookie", cookies={"backend_device": "WyJ4IiwieSJd.x.y"})
    yield changed("Bearer without a token", headers={"Authorization": "Bearer"})
    yield changed("another scheme", headers={"Authorization": "Digest username=x"})
    yield changed("a 20,000-character token", headers={"Authorization": "Bearer " + "a" * 20_000})
    yield changed("Basic that is not base64", headers={"Authorization": "Basic !!!"}, authenticated=False)
    yield changed("Basic of bytes that are not UTF-8", headers={"Authorization": "Basic /w=="},
                  authenticated=False)
    yield changed("a body over 1 MiB", raw_body=OVER_ONE_MIB, content_type=media_type or "text/plain")
    for name, (where, limit) in _limits(operation).items():
        if where == "query":
            yield changed(f"{name} one past its maxLength", query={**query, name: "a" * (limit + 1)})
        else:
            yield with_body(f"{name} one past its maxLength", **{name: "a" * (limit + 1)})
    if media_type is not None:
        yield with_body("unknown members", unknown="x", utm_source="y" * 10_000)
        yield changed("a body without a type", content_type=None)
    if media_type == "application/json":
        string_member = next((name for name, value in body.items() if isinstance(value, str)), "email")
        yield with_body("a lone surrogate in a value", raw={string_member: f'"{SURROGATE}"'})
        members = json.dumps(body)[1:-1]  # no encoder writes a lone surrogate: added as text
        yield changed("a lone surrogate in a name",
                      raw_body=f'{{{members}{", " if members else ""}"{SURROGATE}": "x"}}'.encode())
        yield with_body("a lone surrogate in the device token", raw={"device_token": f'"{SURROGATE}"'})
        yield with_body("NUL in a value", raw={string_member: f'"a{NUL}b"'})
        yield with_body("members of the wrong type", raw={string_member: "1", "device_token": "[]"})
        for name, text in {
            "JSON 100,000 levels deep": TOO_DEEP,
            "JSON 10 levels deep": JUST_TOO_DEEP,
            "JSON that does not parse": '{"email": ',
            "a JSON array": "[]",
            "a JSON string": '"x"',
            "JSON null": "null",
        }.items():
            yield changed(name, raw_body=text.encode())
        yield changed("bytes that are not UTF-8", raw_body=b'{"email": "\xff"}')
        yield changed("a form instead of JSON", raw_body=_encode(None, body),
                      content_type="application/x-www-form-urlencoded")
    elif media_type == "application/x-www-form-urlencoded":
        first = next(iter(body), "code")
        yield with_body("NUL in a form value", raw={first: "a%00b"})
        yield with_body("bytes that are not UTF-8 in the form", raw={first: "%ff%fe"})
        yield changed("repeated parameters", raw_body=b"&".join([_encode(media_type, body)] * 2))
        yield changed("JSON instead of a form", raw_body=TOO_DEEP.encode(), content_type="application/json")
    if operation.method.upper() == "GET":
        yield changed("a GET with a JSON body", raw_body=TOO_DEEP.encode(), content_type="application/json")


def _send(app: Flask, credentials: Credentials, operation: APIOperation, request: Request) -> str | None:
    """Send `request`; None if the answer is as described, else what is wrong with it."""
    case = operation.Case(query=request.query, headers=dict(request.headers or {}))
    if request.authenticated:
        credentials.apply(case)
        case.headers.update(request.headers or {})
    case.cookies.update(request.cookies or {})
    kwargs: dict[str, Any] = {}
    if request.raw_body is not None:
        kwargs["data"] = request.raw_body
        if request.content_type is not None:
            case.headers["Content-Type"] = request.content_type
    response = case.call(app=app, **kwargs)
    try:
        case.validate_response(response, checks=CHECKS)
    except FailureGroup as group:
        found = "; ".join(
            f"{failure.title}: {' '.join(failure.message.split())[:160]}" for failure in group.exceptions
        )
        return f"{request.describe(operation)} -> {response.status_code}: {found}"
    return None


def test_hostile_requests_are_answered_as_described(app: Flask, demo_user: Credentials) -> None:
    failures = []
    for result in SCHEMA.get_all_operations():
        operation = result.ok()
        for request in hostile_requests(operation):
            failure = _send(app, demo_user, operation, request)
            if failure is not None:
                failures.append(failure)
    assert failures == [], "\n".join(failures)


def _csrf(client: FlaskClient) -> tuple[str, str]:
    """A browser's cookie session and the CSRF token of its login form."""
    match = re.search(r'name="csrf_token" value="([^"]*)"', client.get("/login").text)
    cookie = client.get_cookie(SESSION_COOKIE)
    assert match is not None and cookie is not None
    return cookie.value, html.unescape(match.group(1))


def test_answers_random_data_cannot_reach_are_as_described(app: Flask) -> None:
    """Successes that need a real code or a form's CSRF token, and the rate limits."""
    browser = app.test_client()
    token = login(browser)
    form = "application/x-www-form-urlencoded"

    def call(label: str, status: int | None, **case: Any) -> Any:
        method, path = label.split(" ", 1)
        response = SCHEMA[path][method].Case(**case).call_and_validate(checks=CHECKS, app=app)
        assert status is None or response.status_code == status, (label, case, response.content[:300])
        return response

    grant = {"grant_type": "authorization_code", "redirect_uri": REDIRECT_URI}
    code = issue_code(browser, token)
    call("POST /oauth2/v3/token", 200, body={**grant, "code": code}, media_type=form, headers=basic())
    call("POST /oauth2/v3/token", 400, body={**grant, "code": code}, media_type=form, headers=basic())
    post_credentials = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    tokens = call("POST /oauth2/v3/token", 200, media_type=form,
                  body={**grant, "code": issue_code(browser, token), **post_credentials})
    call("POST /oauth2/v3/token", 401, body=grant, media_type=form, headers=basic(secret="wrong"))
    access_token = json.loads(tokens.content)["access_token"]
    call("POST /oauth2/v3/userinfo", 200, body={"access_token": access_token}, media_type=form)
    call("POST /oauth2/v3/userinfo", 400, body={"access_token": access_token}, media_type=form,
         headers=bearer(access_token))
    call("GET /oauth2/v3/userinfo", 401, headers=bearer("unknown"))

    call("POST /api/liveperson/code", 200, headers=bearer(token), media_type="application/json",
         body={"code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "scope": "orders.read"})
    call("POST /api/liveperson/code", 400, headers=bearer(token), media_type="application/json",
         body={"redirect_uri": "https://evil.example"})
    call("POST /api/liveperson/jwt", 200, headers=bearer(token))

    cookie, csrf = _csrf(browser)
    authorization = {"response_type": "code", "client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI,
                     "scope": "openid profile", "state": '{"k": "v"}'}

    def redirected(*args: Any, **kwargs: Any) -> str:
        return call(*args, **kwargs).headers["location"][0]

    logged_in = {SESSION_COOKIE: cookie}
    assert "?code=" in redirected("GET /oauth2/v3/authorize", 302, query=authorization, cookies=logged_in)
    assert "#id_token=" in redirected("GET /oauth2/v3/authorize", 302, cookies=logged_in,
                                      query={**authorization, "response_type": "id_token"})
    assert "error=request_not_supported" in redirected(
        "GET /oauth2/v3/authorize", 302, query={**authorization, "request": "eyJ9.e30."})
    assert "error=request_uri_not_supported" in redirected(
        "GET /oauth2/v3/authorize", 302, query={**authorization, "request_uri": "https://x.example/r"})
    assert "error=login_required" in redirected(
        "GET /oauth2/v3/authorize", 302, query={**authorization, "prompt": "none"})
    assert redirected("GET /oauth2/v3/authorize", 302, query=authorization).startswith("/login?next=")
    call("GET /oauth2/v3/authorize", 400, query={**authorization, "client_id": "unknown"})
    call("POST /oauth2/v3/authorize", 303, body=authorization, media_type=form, cookies=logged_in)

    # Consumer Delegation: the consent page and its answers, the refresh grant, revocation,
    # the brand API, and revoking a client's access on the account page.
    delegated = {**authorization, "scope": DELEGATED_SCOPE}
    page = call("GET /oauth2/v3/authorize", 200, query=delegated, cookies=logged_in).content.decode()
    answer = {"csrf_token": form_field(page, "csrf_token"), "decision": "deny",
              "authorization_request": form_field(page, "authorization_request")}
    assert "error=access_denied" in redirected("POST /consent", 303, body=answer, media_type=form,
                                               cookies=logged_in)
    allowed = redirected("POST /consent", 303, body={**answer, "decision": "allow"}, media_type=form,
                         cookies=logged_in)
    refresh_grant = {"grant_type": "refresh_token",
                     "refresh_token": json.loads(call(
                         "POST /oauth2/v3/token", 200, media_type=form, headers=basic(),
                         body={**grant, "code": parse_qs(urlsplit(allowed).query)["code"][0]},
                     ).content)["refresh_token"]}
    call("POST /oauth2/v3/token", 400, body={**refresh_grant, "scope": "openid admin"},
         media_type=form, headers=basic())
    refreshed = json.loads(call("POST /oauth2/v3/token", 200, body=refresh_grant, media_type=form,
                                headers=basic()).content)
    call("GET /api/v1/orders", 200, headers=bearer(refreshed["access_token"]))
    call("GET /api/v1/orders", 403, headers=bearer(access_token))
    call("GET /api/v1/orders", 401, headers=bearer("unknown"))
    call("POST /oauth2/v3/revoke", 200, body={"token": refreshed["access_token"]}, media_type=form,
         headers=basic())
    call("POST /oauth2/v3/revoke", 401, body={"token": "x"}, media_type=form,
         headers=basic(secret="wrong"))
    call("GET /api/v1/orders", 401, headers=bearer(refreshed["access_token"]))
    home = browser.get("/", headers={"Cookie": f"{SESSION_COOKIE}={cookie}"}).text
    call("POST /access/revoke", 303, body={"csrf_token": form_field(home, "csrf_token"),
                                           "client_id": CLIENT_ID},
         media_type=form, cookies=logged_in)

    call("GET /login", 200, query={"next": "/oauth2/v3/authorize?client_id=x"})
    call("POST /login", 401, body={"csrf_token": csrf, "email": EMAIL, "password": "wrong"},
         media_type=form, cookies={SESSION_COOKIE: cookie})
    call("POST /login", 303, body={"csrf_token": csrf, "email": EMAIL, "password": PASSWORD},
         media_type=form, cookies={SESSION_COOKIE: cookie})
    cookie, csrf = _csrf(browser)
    call("POST /logout", 303, body={"csrf_token": csrf}, media_type=form, cookies={SESSION_COOKIE: cookie})
    call("GET /", 200, cookies={SESSION_COOKIE: cookie})

    # Failed logins until a limit (the account's or this address's) refuses the next one.
    refused = {"email": "locked@example.com", "password": "wrong"}
    statuses = [401]
    while statuses[-1] == 401 and len(statuses) <= app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"] + 1:
        response = call("POST /api/session", None, body=refused, media_type="application/json")
        statuses.append(response.status_code)
    assert statuses[-1] == 429, statuses
    call("POST /login", 429, body={"csrf_token": csrf, **refused}, media_type=form,
         cookies={SESSION_COOKIE: cookie})
    # The POST /login above ended `token`'s session (a login replaces the one it came with).
    app_token = login(app.test_client())
    call("DELETE /api/session", 204, headers=bearer(app_token))
    call("GET /api/me", 401, headers=bearer(app_token))
