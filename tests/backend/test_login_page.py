"""The HTML login page and logout: CSRF, rate limiting, session rotation, safe `next`,
password storage, cookie flags and the headers that keep the pages out of frames
(OWASP's authentication and session rules, RFC 9700 §4)."""

from __future__ import annotations

import html
import re

import pytest
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner
from sqlalchemy import text

from backend.db import get_db
from tests.support.backend_app import EMAIL, PASSWORD, make_app

COOKIE = "backend_session"
OTHER_EMAIL = "other@example.com"
OTHER_PASSWORD = "other-password"


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    match = re.search(r'name="csrf_token" value="([^"]*)"', client.get(path).text)
    assert match, "the page has no csrf_token field"
    return html.unescape(match.group(1))


def without_token(page: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token" value=""', page)


def post_login(client: FlaskClient, email: str = EMAIL, password: str = PASSWORD,
               next_url: str | None = None, csrf: str | None = None, **kwargs):
    data = {"email": email, "password": password,
            "csrf_token": csrf_token(client) if csrf is None else csrf}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/login", data=data, **kwargs)


def logged_in(client: FlaskClient) -> bool:
    """Whether the client's cookie is a live login (as the app API sees it)."""
    return client.get("/api/me").status_code == 200


def cookie_value(client: FlaskClient) -> str | None:
    cookie = client.get_cookie(COOKIE)
    return cookie.value if cookie else None


def set_cookie_header(response) -> str:
    headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(COOKIE + "=")]
    assert len(headers) == 1, response.headers.getlist("Set-Cookie")
    return headers[0]


def add_user(app, email: str = OTHER_EMAIL, password: str = OTHER_PASSWORD) -> None:
    result = app.test_cli_runner().invoke(args=["create-user", email, "--password", password])
    assert result.exit_code == 0, result.output


def test_login_form_logs_in_and_redirects_with_303(client):
    """a credential POST answers 303, to the `next` path."""
    response = post_login(client, next_url="/")
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert logged_in(client)
    assert EMAIL in client.get("/").text


# --- CSRF ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("csrf", ["", "forged-token"], ids=["missing", "wrong"])
def test_login_without_the_right_csrf_token_is_refused(client, csrf):
    """the login form needs the token bound to the session."""
    csrf_token(client)  # the session has a token; the post does not send it
    response = post_login(client, csrf=csrf)
    assert_refused_with_a_reload_page(response)
    assert "Location" not in response.headers
    assert not logged_in(client)


def assert_refused_with_a_reload_page(response) -> None:
    """The customer is told what to do: the page has only to be loaded again."""
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "Reload the page and try again." in response.text


def test_a_csrf_token_from_another_session_is_refused(app, client):
    """The token is bound to its own session: a token the attacker got for themself fails."""
    attacker = app.test_client()
    response = post_login(client, csrf=csrf_token(attacker))
    assert_refused_with_a_reload_page(response)
    assert not logged_in(client)


def test_login_without_any_session_is_refused(client):
    """A cross-site form post arrives without the session, hence without a token to match."""
    response = client.post("/login", data={"email": EMAIL, "password": PASSWORD,
                                           "csrf_token": ""})
    assert_refused_with_a_reload_page(response)
    assert not logged_in(client)


def test_an_expired_csrf_token_is_refused(tmp_path, monkeypatch):
    """The token also has a lifetime: a login page left open that long is loaded again."""
    app = make_app(tmp_path, WTF_CSRF_TIME_LIMIT=60)
    client = app.test_client()
    csrf = csrf_token(client)
    now = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda signer: now(signer) + 61)
    assert_refused_with_a_reload_page(post_login(client, csrf=csrf))
    assert not logged_in(client)


def test_login_over_https_needs_no_referer(client):
    """The pages send Referrer-Policy: no-referrer, so a login form never comes with a Referer."""
    https = {"base_url": "https://brand.example"}
    page = client.get("/login", **https)
    token = html.unescape(re.search(r'name="csrf_token" value="([^"]*)"', page.text).group(1))
    response = post_login(client, csrf=token, **https)
    assert response.status_code == 303
    assert client.get("/api/me", **https).status_code == 200


def test_a_json_body_is_not_taken_for_the_form(client):
    """The forms are read from form data only: JSON of any shape is refused like a missing token."""
    csrf_token(client)
    for body in ('"text"', "[1]", "7", '{"csrf_token": "x"}'):
        response = client.post("/login", data=body, content_type="application/json")
        assert_refused_with_a_reload_page(response)


# --- wrong credentials and rate limiting ---------------------------------------------------------

def test_wrong_password_and_unknown_user_look_the_same(client):
    """the same status and page for an unknown account and a wrong password."""
    csrf = csrf_token(client)
    wrong = post_login(client, EMAIL, "not-the-password", csrf=csrf)
    unknown_email = "nobody@example.com"
    unknown = post_login(client, unknown_email, "not-the-password", csrf=csrf)
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong email or password." in wrong.text
    # The CSRF token is signed with the time of each page, so it differs by the second.
    assert without_token(wrong.text.replace(EMAIL, "EMAIL")) == without_token(
        unknown.text.replace(unknown_email, "EMAIL"))
    assert not logged_in(client)


def test_account_is_locked_after_five_failures_even_with_the_right_password(app, client):
    """per-account limit; the 6th attempt gets 429 and Retry-After, from any address."""
    csrf = csrf_token(client)
    for _ in range(5):
        assert post_login(client, password="guess", csrf=csrf).status_code == 401
    response = post_login(client, csrf=csrf)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert 'data-testid="login-error"' in response.text
    assert not logged_in(client)

    elsewhere = app.test_client()
    other_address = post_login(elsewhere, environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert other_address.status_code == 429
    # The lock is per account: another account still logs in from the first address.
    add_user(app)
    assert post_login(client, OTHER_EMAIL, OTHER_PASSWORD, csrf=csrf).status_code == 303


def test_account_limit_ignores_case_and_spaces_in_the_email(client):
    """Variants of one address count against the same account."""
    csrf = csrf_token(client)
    for variant in ("DEMO@example.com", " demo@example.com", "Demo@Example.COM ",
                    "demo@EXAMPLE.com", "demo@example.com"):
        assert post_login(client, variant, "guess", csrf=csrf).status_code == 401
    assert post_login(client, csrf=csrf).status_code == 429


def test_address_is_limited_across_accounts(tmp_path):
    """per-address limit; failures on different accounts add up, other addresses pass."""
    app = make_app(tmp_path, LOGIN_MAX_FAILURES_PER_ADDRESS=3)
    attacker = {"REMOTE_ADDR": "203.0.113.9"}
    client = app.test_client()
    csrf = csrf_token(client)
    for index in range(3):
        response = post_login(client, f"victim{index}@example.com", "guess", csrf=csrf,
                              environ_base=attacker)
        assert response.status_code == 401
    blocked = post_login(client, csrf=csrf, environ_base=attacker)
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert not logged_in(client)

    neighbour = app.test_client()
    allowed = post_login(neighbour, environ_base={"REMOTE_ADDR": "203.0.113.10"})
    assert allowed.status_code == 303


def test_default_address_limit_is_twenty(client):
    """20 failures on 20 accounts from one address block the 21st attempt."""
    csrf = csrf_token(client)
    address = {"REMOTE_ADDR": "192.0.2.44"}
    for index in range(20):
        response = post_login(client, f"user{index}@example.com", "guess", csrf=csrf,
                              environ_base=address)
        assert response.status_code == 401
    assert post_login(client, csrf=csrf, environ_base=address).status_code == 429


# --- session handling ----------------------------------------------------------------------------

def test_session_is_rotated_at_login(app, client):
    """a new session at login; the pre-login cookie and csrf token are worthless."""
    old_csrf = csrf_token(client)
    old_cookie = cookie_value(client)
    assert old_cookie
    assert post_login(client, csrf=old_csrf).status_code == 303
    assert cookie_value(client) != old_cookie

    # Session fixation: whoever planted the pre-login cookie is not logged in with it.
    planted = app.test_client()
    planted.set_cookie(COOKIE, old_cookie)
    assert not logged_in(planted)

    # The old csrf token does not work in the new session.
    response = client.post("/logout", data={"csrf_token": old_csrf})
    assert_refused_with_a_reload_page(response)
    assert logged_in(client)


def test_logging_in_again_ends_the_session_it_replaces(app, client):
    """A second login in the same browser (the pop-out's prompt=login, say) replaces the
    first session: a copy of the first session's cookie no longer logs anyone in."""
    post_login(client)
    first = cookie_value(client)
    assert post_login(client, csrf=csrf_token(client)).status_code == 303
    assert logged_in(client)
    replay = app.test_client()
    replay.set_cookie(COOKIE, first)
    assert not logged_in(replay)


def test_logout_ends_the_session_everywhere(app, client):
    """POST /logout with csrf ends the session; a copy of the old cookie is dead too."""
    post_login(client)
    copied = cookie_value(client)
    assert copied and logged_in(client)
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 303
    assert response.headers["Location"] == "/login"
    assert not logged_in(client)

    replay = app.test_client()
    replay.set_cookie(COOKIE, copied)
    assert not logged_in(replay)
    assert EMAIL not in replay.get("/").text


def test_logout_needs_the_csrf_token(client):
    """A cross-site form cannot log the user out."""
    post_login(client)
    assert_refused_with_a_reload_page(client.post("/logout", data={"csrf_token": "nope"}))
    assert_refused_with_a_reload_page(client.post("/logout"))
    assert logged_in(client)


def test_logout_clears_the_csrf_token(client):
    """The token of the session that ended does not work in the next one."""
    post_login(client)
    old_csrf = csrf_token(client, "/")
    assert client.post("/logout", data={"csrf_token": old_csrf}).status_code == 303
    csrf_token(client)  # the new, anonymous session gets a token of its own
    assert_refused_with_a_reload_page(post_login(client, csrf=old_csrf))


@pytest.mark.parametrize("target", [
    "//evil.example",
    "//evil.example/login",
    "https://evil.example",
    "https://evil.example/path",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "javascript:alert(1)",
    "evil.example",
    "",
])
def test_next_never_leaves_the_site(client, target):
    """`next` is a local path; anything else lands on /."""
    page = client.get("/login", query_string={"next": target})
    assert page.status_code == 200
    assert 'name="next" value="/"' in page.text
    response = post_login(client, next_url=target)
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_next_keeps_a_local_path_with_its_query(client):
    """A local `next` (the authorization request being resumed) is followed as is."""
    target = "/oauth2/v3/authorize?client_id=x&state=%7B%22a%22%3A1%7D"
    page = client.get("/login", query_string={"next": target})
    assert f'name="next" value="{html.escape(target)}"' in page.text
    assert post_login(client, next_url=target).headers["Location"] == target


# --- storage and cookies -------------------------------------------------------------------------

def test_passwords_are_stored_as_argon2id_hashes(app):
    """a memory-hard KDF, never the password itself."""
    add_user(app)
    with app.app_context():
        rows = get_db().execute(text("SELECT email, password_hash FROM users")).all()
    assert {email for email, _ in rows} == {EMAIL, OTHER_EMAIL}
    for _, password_hash in rows:
        assert password_hash.startswith("$argon2id$")
        assert PASSWORD not in password_hash and OTHER_PASSWORD not in password_hash
    assert rows[0][1] != rows[1][1]


def test_session_cookie_flags_with_an_https_issuer(client):
    """HttpOnly, SameSite=Lax, and Secure because the issuer is https."""
    header = set_cookie_header(post_login(client))
    attributes = {part.strip().split("=")[0].lower(): part.strip()
                  for part in header.split(";")[1:]}
    assert "httponly" in attributes
    assert attributes.get("samesite") == "SameSite=Lax"
    assert "secure" in attributes


def test_session_cookie_is_not_secure_on_a_loopback_http_issuer(tmp_path):
    """Development on http://127.0.0.1 must still work, so no Secure flag there."""
    app = make_app(tmp_path, ISSUER="http://127.0.0.1:8000")
    client = app.test_client()
    header = set_cookie_header(post_login(client))
    attributes = [part.strip().lower() for part in header.split(";")[1:]]
    assert "secure" not in attributes
    assert "httponly" in attributes and "samesite=lax" in attributes


# --- headers and page content --------------------------------------------------------------------

PAGES = {
    "home": ("GET", "/", None),
    "login page": ("GET", "/login", None),
    "login refused": ("POST", "/login", "bad-password"),
    "csrf refused": ("POST", "/login", "no-csrf"),
    "authorize error page": ("GET", "/oauth2/v3/authorize?client_id=nobody", None),
    "authorize redirect": ("GET", "/oauth2/v3/authorize?client_id=liveperson-demo"
                                  "&redirect_uri=https://liveperson.net&response_type=code"
                                  "&scope=openid", None),
    "not found page": ("GET", "/no-such-page", None),
}


@pytest.mark.parametrize(("method", "path", "variant"), PAGES.values(), ids=PAGES.keys())
def test_every_page_forbids_framing_and_referrers(client, method, path, variant):
    """Items 5 and 7: frame-ancestors 'none', X-Frame-Options DENY, Referrer-Policy no-referrer."""
    if method == "GET":
        response = client.get(path)
    elif variant == "no-csrf":
        response = client.post(path, data={"email": EMAIL, "password": PASSWORD})
        assert response.status_code == 400
    else:
        response = post_login(client, password="wrong")
        assert response.status_code == 401
    csp = [d.strip() for d in response.headers.get("Content-Security-Policy", "").split(";")]
    assert "frame-ancestors 'none'" in csp
    assert response.headers.get("X-Frame-Options") == "DENY"
    assert response.headers.get("Referrer-Policy") == "no-referrer"


@pytest.mark.parametrize("path", [
    "/no-such-page", "/.well-known/openid-configuration?x=%00", "/oauth2/v3/certs?x=%00",
])
def test_errors_are_never_cached(client, path):
    """Not even on the paths whose answers are cacheable, and not the HTML error page."""
    response = client.get(path)
    assert response.status_code >= 400
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Pragma"] == "no-cache"


def test_login_page_loads_no_third_party_content(client):
    """every resource the login page refers to is on this site."""
    response = client.get("/login")
    references = re.findall(r'\b(?:src|href|action|srcset|formaction)\s*=\s*"([^"]*)"',
                            response.text, flags=re.IGNORECASE)
    assert references, "expected at least the stylesheet and the form action"
    for reference in references:
        assert reference.startswith("/") and not reference.startswith(("//", "/\\")), reference
    assert "@import" not in response.text and "url(" not in response.text
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "http" not in csp  # no other origin is allowed to supply anything
    for reference in references:
        if reference.startswith("/static/"):
            with client.get(reference) as asset:
                assert asset.status_code == 200
