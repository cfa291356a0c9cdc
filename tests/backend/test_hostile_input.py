"""Hostile input gets a 400 in the endpoint's own format, on both databases: never a 500, never
a traceback in the log, never a change in the database (backend/request_guard.py,
backend/protocol/parameters.py)."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from backend.db import get_db
from tests.support.backend_app import CLIENT_ID, REDIRECT_URI, basic, snapshot

DEEP = "[" * 100_000 + "]" * 100_000
NESTED_600 = '{"email": ' + "[" * 600 + "]" * 600 + "}"
TOKEN_FORM = {"grant_type": "authorization_code", "code": "c", "redirect_uri": REDIRECT_URI}
AUTHORIZE = {"client_id": CLIENT_ID, "response_type": "code", "redirect_uri": REDIRECT_URI,
             "scope": "openid"}

# path, method, request options, JSON error code or None for an HTML page, words of the reason
CASES = {
    "deep JSON, app login": ("/api/session", "post", {"data": DEEP}, "invalid_request", "nested"),
    "600 levels, app login": ("/api/session", "post", {"data": NESTED_600}, "invalid_request",
                              "nested"),
    "deep JSON, code": ("/api/liveperson/code", "post", {"data": DEEP}, "invalid_request", "nested"),
    "deep JSON, token": ("/oauth2/v3/token", "post", {"data": DEEP}, "invalid_request", "nested"),
    "deep JSON, login page": ("/login", "post", {"data": DEEP}, None, "nested"),
    "deep JSON, authorize": ("/oauth2/v3/authorize", "post", {"data": DEEP}, None, "nested"),
    "lone surrogate, email": ("/api/session", "post",
                              {"data": '{"email": "\\ud800@example.com", "password": "x"}'},
                              "invalid_request", "surrogate"),
    "lone surrogate, password": ("/api/session", "post",
                                 {"data": '{"email": "demo@example.com", "password": "\\udfff"}'},
                                 "invalid_request", "surrogate"),
    "lone surrogate, a key": ("/api/liveperson/code", "post", {"data": '{"\\ud800": "x"}'},
                              "invalid_request", "surrogate"),
    "400-character email": ("/api/session", "post",
                            {"data": '{"email": "' + "a" * 390 + '@example.com", "password": "x"}'},
                            "invalid_request", "at most 320"),
    "2,000-character password": ("/api/session", "post",
                                 {"data": '{"email": "demo@example.com", "password": "'
                                          + "p" * 2000 + '"}'},
                                 "invalid_request", "at most 1024"),
    "NUL, app login": ("/api/session", "post",
                       {"data": '{"email": "demo\\u0000@example.com", "password": "x"}'},
                       "invalid_request", "NUL"),
    "NUL in Basic credentials": ("/oauth2/v3/token", "post",
                                 {"data": TOKEN_FORM,
                                  "headers": basic("lp-bars%00", "secret")},
                                 "invalid_request", "NUL"),
    "long client_id in Basic": ("/oauth2/v3/token", "post",
                                {"data": TOKEN_FORM, "headers": basic("c" * 300, "secret")},
                                "invalid_request", "at most 200"),
    "NUL, token form": ("/oauth2/v3/token", "post",
                        {"data": {**TOKEN_FORM, "redirect_uri": REDIRECT_URI + "\x00"},
                         "headers": basic()}, "invalid_request", "NUL"),
    "NUL in a parameter's name": ("/oauth2/v3/token", "post",
                                  {"data": {**TOKEN_FORM, "x\x00": "1"}, "headers": basic()},
                                  "invalid_request", "NUL"),
    "long client_id in the body": ("/oauth2/v3/token", "post",
                                   {"data": {**TOKEN_FORM, "client_id": "c" * 300,
                                             "client_secret": "s"}},
                                   "invalid_request", "at most 200"),
    "NUL, userinfo": ("/oauth2/v3/userinfo", "get", {"query_string": {"access_token": "a\x00b"}},
                      "invalid_request", "NUL"),
    "NUL, authorize": ("/oauth2/v3/authorize", "get",
                       {"query_string": {**AUTHORIZE, "client_id": CLIENT_ID + "\x00"}}, None,
                       "NUL"),
    "long state, authorize": ("/oauth2/v3/authorize", "get",
                              {"query_string": {**AUTHORIZE, "state": "s" * 20_000}}, None,
                              "at most 12000"),
    "NUL, login page": ("/login", "post", {"data": {"email": "demo\x00@example.com",
                                                    "password": "x"}}, None, "NUL"),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_hostile_input_is_a_clear_400_that_changes_nothing(app, client, caplog, case):
    path, method, options, json_error, reason = case
    if "data" in options and isinstance(options["data"], str):
        options = {**options, "content_type": "application/json"}
    before = snapshot(app)
    with caplog.at_level(logging.WARNING):
        response = getattr(client, method)(path, **options)
    assert response.status_code == 400
    if json_error is None:  # people get a page, and no redirect to a doubtful URI
        assert response.mimetype == "text/html"
        assert reason in response.text
    else:
        assert response.mimetype == "application/json"
        assert response.json["error"] == json_error
        assert reason in response.json["error_description"]
    assert not caplog.records  # no traceback for anyone to flood the log with
    assert snapshot(app) == before


def test_a_database_error_never_puts_parameters_in_the_log(app):
    """Whatever a future bug lets through to the database, the error the log keeps names the
    statement, not its values (a secret's hash, an email)."""
    with app.app_context():
        db = get_db()
        with pytest.raises(DBAPIError) as failure:
            db.execute(text("SELECT CAST(:secret AS INTEGER) + nosuchcolumn"),
                       {"secret": "the-offered-secret-hash"})
        db.rollback()
    assert "the-offered-secret-hash" not in str(failure.value)


@pytest.mark.parametrize("path", ["/login", "/oauth2/v3/authorize", "/api/session", "/oauth2/v3/token"])
def test_a_wrong_method_is_told_which_methods_are_allowed(client, path):
    """RFC 9110 §15.5.6: a 405 names the allowed methods, on the pages for people too."""
    response = client.put(path)
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
