"""`flask --app backend ...`: every command validates before it writes, refuses with a one-line
reason, and prints what the operator pastes into LivePerson."""

from __future__ import annotations

import base64
import json
import os
import pty
import re
import subprocess
import sys
import time
from pathlib import Path
from select import select as wait_readable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_der_public_key
from sqlalchemy import func, inspect, select

from backend import create_app
from backend.config import SETTINGS
from backend.db import get_db
from backend.models import Client, Order, SigningKey, User
from tests.support import servers
from tests.support.backend_app import (
    CLIENT_ID,
    EMAIL,
    ISSUER,
    another_process,
    bearer,
    login,
    redeem,
    snapshot,
    verify_id_token,
)

CONFIGURATION_DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
SDES = [
    {"type": "ctmrinfo", "info": {"customerId": "C-42", "ctype": "gold", "balance": -10.5}},
    {"type": "personal", "personal": {"firstname": "Ada", "lastname": "Lovelace",
                                      "contacts": [{"email": "ada@example.com"}]}},
]


def refused(result: Any, *words: str) -> str:
    """A clean refusal: non-zero exit, no traceback, one `Error:` line containing `words`."""
    assert result.exit_code != 0, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.output
    for word in words:
        assert word.lower() in errors[0].lower(), errors[0]
    return errors[0]


def ok(result: Any) -> str:
    assert result.exit_code == 0, result.output
    return result.output


def count(app, model) -> int:
    with app.app_context():
        return get_db().scalar(select(func.count()).select_from(model))


def authorize_code(client, client_id: str, redirect_uri: str, **extra: str):
    """Log in through the browser path and ask the authorization endpoint for a code."""
    login(client)
    return client.get("/oauth2/v3/authorize", query_string={
        "response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
        "scope": "openid", **extra,
    })


def redirected_query(response) -> dict[str, str]:
    assert response.status_code == 302, response.data
    return {k: v[0] for k, v in parse_qs(urlsplit(response.headers["Location"]).query).items()}


# -- init-db ---------------------------------------------------------------------------


def test_init_db_is_idempotent(app, runner):
    """Running init-db again changes nothing: same tables, one key, same users."""
    with app.app_context():
        tables = set(inspect(get_db().get_bind()).get_table_names())
    before = snapshot(app)
    output = ok(runner.invoke(args=["init-db"]))
    assert "Generated" not in output
    assert snapshot(app) == before
    with app.app_context():
        assert set(inspect(get_db().get_bind()).get_table_names()) == tables
    assert count(app, SigningKey) == 1
    assert count(app, User) == 1


# -- create-user -----------------------------------------------------------------------


def test_create_user_with_profile_and_sdes(app, runner, client):
    """A created user can log in; the profile and lp_sdes reach the id_token as given."""
    output = ok(runner.invoke(args=[
        "create-user", "Ada@Example.com", "--password", "correct horse",
        "--name", "Ada Lovelace", "--given-name", "Ada", "--family-name", "Lovelace",
        "--preferred-username", "ada", "--phone-number", "+44 20 7946 0000",
        "--lp-sdes", json.dumps(SDES),
    ]))
    token = login(client, "ada@example.com", "correct horse")
    me = client.get("/api/me", headers=bearer(token)).json
    assert me["sub"] in output
    assert me["email"] == "ada@example.com"
    assert me["name"] == "Ada Lovelace"
    response = client.post("/api/liveperson/jwt", headers=bearer(token))
    claims = verify_id_token(client, response.json["id_token"])
    assert claims["sub"] == me["sub"]
    assert claims["given_name"] == "Ada"
    assert claims["family_name"] == "Lovelace"
    assert claims["preferred_username"] == "ada"
    assert claims["phone_number"] == "+44 20 7946 0000"
    assert claims["lp_sdes"] == SDES


def test_create_user_without_sdes(runner, client):
    """--lp-sdes is optional; such a user's id_token has no lp_sdes claim."""
    ok(runner.invoke(args=["create-user", "bob@example.com", "--password", "long enough"]))
    token = login(client, "bob@example.com", "long enough")
    claims = verify_id_token(
        client, client.post("/api/liveperson/jwt", headers=bearer(token)).json["id_token"]
    )
    assert "lp_sdes" not in claims


@pytest.mark.parametrize(("arguments", "words"), [
    (["new@example.com", "--password", "long enough", "--lp-sdes", json.dumps(SDES[0])],
     ["--lp-sdes", "array"]),
    (["new@example.com", "--password", "long enough", "--lp-sdes",
      '[{"type": "purchase", "info": {}}]'], ["--lp-sdes", "ctmrinfo"]),
    (["new@example.com", "--password", "long enough", "--lp-sdes", '[{"type": "ctmrinfo"}]'],
     ["--lp-sdes", "info"]),
    (["new@example.com", "--password", "long enough", "--lp-sdes", "[{'type': 'x'}"],
     ["--lp-sdes", "json"]),
    (["new@example.com", "--password", "short"], ["--password", "8"]),
    (["not-an-email", "--password", "long enough"], ["email"]),
    (["new@localhost", "--password", "long enough"], ["email"]),
    (["a b@example.com", "--password", "long enough"], ["email"]),
    ([EMAIL, "--password", "long enough"], [EMAIL, "exists"]),
    ([EMAIL.upper(), "--password", "long enough"], [EMAIL, "exists"]),
])
def test_create_user_refusals_change_nothing(app, runner, arguments, words):
    """Bad SDEs, password or email, or an existing email: a one-line reason, no row written."""
    before = snapshot(app)
    refused(runner.invoke(args=["create-user", *arguments]), *words)
    assert snapshot(app) == before


# -- create-client ---------------------------------------------------------------------


def test_create_client_with_several_uris_and_pkce(app, runner, client):
    """Every --redirect-uri is registered (exactly); --pkce-required refuses requests without PKCE."""
    uris = ["https://liveperson.net", "https://lpcdn.lpsnmedia.net/le_unified_window/index.html"]
    ok(runner.invoke(args=[
        "create-client", "--client-id", "lp-123", "--secret", "s" * 20,
        "--redirect-uri", uris[0], "--redirect-uri", uris[1], "--pkce-required",
    ]))
    with app.app_context():
        assert get_db().get(Client, "lp-123").redirect_uris == uris
    without_pkce = redirected_query(authorize_code(client, "lp-123", uris[1]))
    assert without_pkce["error"] == "invalid_request"
    with_pkce = redirected_query(authorize_code(
        client, "lp-123", uris[1], code_challenge="E" * 43, code_challenge_method="S256"
    ))
    assert "code" in with_pkce
    unregistered = authorize_code(client, "lp-123", "https://liveperson.net/")
    assert unregistered.status_code == 400  # an error page, no redirect


def test_generated_secret_is_printed_and_works(app, runner, client):
    """Without --secret one is generated, printed once, and authenticates at the token endpoint."""
    output = ok(runner.invoke(args=[
        "create-client", "--client-id", "lp-456", "--redirect-uri", "https://liveperson.net",
    ]))
    match = re.search(r"secret[^:]*:\s*(\S+)\s*$", output, re.MULTILINE)
    assert match, output
    secret = match.group(1)
    assert len(secret) >= 32
    assert secret not in repr(snapshot(app)), "the secret must be stored hashed"
    query = redirected_query(authorize_code(client, "lp-456", "https://liveperson.net"))
    wrong = redeem(client, query["code"], headers={},
                   client_id="lp-456", client_secret=secret + "x")
    assert wrong.status_code == 401
    response = redeem(client, query["code"], headers={},
                      client_id="lp-456", client_secret=secret)
    assert response.status_code == 200, response.json
    assert verify_id_token(client, response.json["id_token"])["aud"] == "lp-456"


@pytest.mark.parametrize("uri", [
    "http://127.0.0.1:9000/callback", "http://localhost/cb", "http://[::1]:8080/cb",
])
def test_loopback_http_is_allowed(runner, uri):
    """RFC 8252 §7.3: http is fine on loopback, for development."""
    ok(runner.invoke(args=["create-client", "--client-id", "dev", "--secret", "d" * 16,
                           "--redirect-uri", uri]))


@pytest.mark.parametrize(("arguments", "words"), [
    (["--redirect-uri", "https://liveperson.net/#frag"], ["--redirect-uri", "fragment"]),
    (["--redirect-uri", "https://liveperson.net#"], ["--redirect-uri", "fragment"]),
    (["--redirect-uri", "http://liveperson.net/cb"], ["--redirect-uri", "https"]),
    (["--redirect-uri", "http://localhost.attacker.example/cb"], ["--redirect-uri", "https"]),
    (["--redirect-uri", "/relative/cb"], ["--redirect-uri", "https"]),
    (["--redirect-uri", "https://liveperson.net", "--redirect-uri", "ftp://x.example/"],
     ["--redirect-uri", "ftp://x.example/"]),
    (["--redirect-uri", "https://liveperson.net "], ["--redirect-uri", "spaces"]),
    (["--redirect-uri", "https://liveperson.net", "--secret", "fifteen-chars!!"],
     ["--secret", "16"]),
])
def test_create_client_refusals_change_nothing(app, runner, arguments, words):
    """Bad redirect URIs or a short secret: a one-line reason and no client written."""
    before = snapshot(app)
    refused(runner.invoke(args=["create-client", "--client-id", "new-client", *arguments]),
            *words)
    assert snapshot(app) == before


@pytest.mark.parametrize("client_id", ["", "  ", " lp-1"])
def test_unusable_client_id_is_refused(app, runner, client_id):
    """An empty or space-padded client id could never authenticate: refused, nothing written."""
    before = snapshot(app)
    refused(runner.invoke(args=[
        "create-client", "--client-id", client_id, "--secret", "x" * 20,
        "--redirect-uri", "https://liveperson.net",
    ]), "--client-id")
    assert snapshot(app) == before


def test_existing_client_id_is_refused(app, runner):
    """An existing client is never overwritten (its secret and URIs stay as they are)."""
    before = snapshot(app)
    refused(runner.invoke(args=[
        "create-client", "--client-id", CLIENT_ID, "--secret", "x" * 20,
        "--redirect-uri", "https://attacker.example/cb",
    ]), CLIENT_ID, "exists")
    assert snapshot(app) == before


# -- Consumer Delegation ---------------------------------------------------------------


def stored_client(app, client_id: str) -> Client:
    with app.app_context():
        return get_db().get(Client, client_id)


def test_create_client_with_delegation(app, runner):
    """--delegation-scope (repeatable, each kept once) turns delegation on; --first-party waives
    the consent; --name is what customers read."""
    ok(runner.invoke(args=[
        "create-client", "--client-id", "brand-app", "--secret", "s" * 20,
        "--redirect-uri", "https://liveperson.net", "--delegation-scope", "orders.read",
        "--delegation-scope", "orders.read", "--first-party", "--name", "Brand app",
    ]))
    client = stored_client(app, "brand-app")
    assert client.delegation_scopes == ["orders.read"]
    assert client.first_party is True
    assert client.display_name == "Brand app"


def test_create_client_without_delegation_has_it_off(app, runner):
    ok(runner.invoke(args=["create-client", "--client-id", "plain", "--secret", "s" * 20,
                           "--redirect-uri", "https://liveperson.net"]))
    client = stored_client(app, "plain")
    assert client.delegation_scopes == []
    assert client.first_party is False
    assert client.display_name == "plain"


@pytest.mark.parametrize(("arguments", "words"), [
    (["--delegation-scope", "orders.write"], ["--delegation-scope", "orders.read"]),
    (["--delegation-scope", "orders.read", "--delegation-scope", "openid"], ["--delegation-scope"]),
    (["--first-party"], ["--first-party", "--delegation-scope"]),
    (["--name", "  "], ["--name"]),
    (["--name", "n" * 101], ["--name", "100"]),
])
def test_delegation_refusals_change_nothing(app, runner, arguments, words):
    before = snapshot(app)
    refused(runner.invoke(args=["create-client", "--client-id", "new-client", "--secret", "s" * 20,
                                "--redirect-uri", "https://liveperson.net", *arguments]), *words)
    assert snapshot(app) == before


def test_seed_demo_gives_the_demo_client_delegation_and_the_demo_user_orders(app, runner):
    """The demo LivePerson client may be granted orders.read, with each customer's consent; the
    demo user has orders to read. Seeding again adds nothing."""
    client = stored_client(app, CLIENT_ID)
    assert client.delegation_scopes == ["orders.read"]
    assert client.first_party is False
    assert client.display_name == "LivePerson"
    assert count(app, Order) == 3
    before = snapshot(app)
    ok(runner.invoke(args=["seed-demo"]))
    assert snapshot(app) == before


def test_liveperson_config_shows_delegation_and_revocation(runner, client):
    rows = config_rows(ok(runner.invoke(args=["liveperson-config"])))
    assert rows["Consumer Delegation"] == "scope openid orders.read (each customer consents once)"
    discovery = client.get("/.well-known/openid-configuration").json
    assert rows["Revocation endpoint"] == discovery["revocation_endpoint"]


def test_liveperson_config_of_a_client_without_delegation(app, runner, monkeypatch):
    ok(runner.invoke(args=["create-client", "--client-id", "lp-plain", "--secret", "s" * 20,
                           "--redirect-uri", "https://liveperson.net"]))
    monkeypatch.setenv("BACKEND_LIVEPERSON_CLIENT_ID", "lp-plain")
    other = another_process(app)
    rows = config_rows(ok(other.test_cli_runner().invoke(args=["liveperson-config"])))
    assert rows["Consumer Delegation"] == "off (create-client --delegation-scope)"


# -- passwords and client secrets off the command line -----------------------------------

NEW_EMAIL = "kept@example.com"
PASSWORD_ENV = "BACKEND_NEW_USER_PASSWORD"
SECRET_ENV = "BACKEND_NEW_CLIENT_SECRET"


def secret_file(tmp_path: Path, content: bytes | str) -> str:
    path = tmp_path / "given-secret"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    path.chmod(0o600)
    return str(path)


def can_log_in(client, email: str, password: str) -> bool:
    return client.post("/api/session", json={"email": email, "password": password}).status_code == 200


def client_secret_works(client, client_id: str, secret: str) -> bool:
    """The client's secret redeems a code at the token endpoint (and a wrong one does not)."""
    code = redirected_query(authorize_code(client, client_id, "https://liveperson.net"))["code"]
    wrong = redeem(client, code, headers={}, client_id=client_id, client_secret=secret + "x")
    assert wrong.status_code == 401
    return redeem(client, code, headers={}, client_id=client_id,
                  client_secret=secret).status_code == 200


@pytest.mark.parametrize(("content", "password"), [
    ("from a file\n", "from a file"),
    ("from a file\r\n", "from a file"),
    ("from a file", "from a file"),
    ("  spaces kept  \n", "  spaces kept  "),
    ("only one newline dropped\n\n", "only one newline dropped\n"),
])
def test_password_from_a_file(runner, client, tmp_path, content, password):
    """--password-file: the file's text is the password, less one trailing newline."""
    output = ok(runner.invoke(args=["create-user", NEW_EMAIL,
                                    "--password-file", secret_file(tmp_path, content)]))
    assert password not in output
    assert can_log_in(client, NEW_EMAIL, password)
    if content != password:
        assert not can_log_in(client, NEW_EMAIL, content)


def test_password_from_standard_input(runner, client):
    """--password-file - reads standard input, for a password piped from a secret store."""
    ok(runner.invoke(args=["create-user", NEW_EMAIL, "--password-file", "-"],
                     input="piped password\n"))
    assert can_log_in(client, NEW_EMAIL, "piped password")


def test_password_from_the_environment(runner, client, monkeypatch):
    """BACKEND_NEW_USER_PASSWORD is the password when no option gives one."""
    monkeypatch.setenv(PASSWORD_ENV, "from the environment")
    ok(runner.invoke(args=["create-user", NEW_EMAIL]))
    assert can_log_in(client, NEW_EMAIL, "from the environment")


class Terminal:
    """The controlling side of a pseudo-terminal: what a person at a terminal sees and types."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.seen = ""
        self._read_to = 0

    def expect(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while (found := self.seen.find(text, self._read_to)) < 0:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"no {text!r} in:\n{self.seen}"
            if wait_readable([self.fd], [], [], remaining)[0]:
                self._read()
        self._read_to = found + len(text)

    def type(self, line: str) -> None:
        os.write(self.fd, (line + "\n").encode())

    def read_to_end(self) -> str:
        while self._read():
            pass
        return self.seen

    def _read(self) -> bool:
        try:
            data = os.read(self.fd, 4096)
        except OSError:  # EIO: every process on the terminal has closed it
            return False
        self.seen += data.decode(errors="replace")
        return bool(data)


def test_password_asked_for_in_a_terminal(app, client):
    """No password given, in a terminal: it is asked for twice, hidden; a mismatch asks again."""
    env = servers.environment(("BACKEND_",), BACKEND_DATABASE_URL=app.config["DATABASE_URL"],
                              BACKEND_SECRET_KEY=app.config["SECRET_KEY"], BACKEND_ISSUER=ISSUER)
    controller, terminal = pty.openpty()
    # A new session has no controlling terminal, so the prompt reads this one (its stdin) and
    # never the terminal the tests run in.
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "backend", "create-user", NEW_EMAIL],
        cwd=servers.ROOT, env=env, stdin=terminal, stdout=terminal, stderr=terminal,
        start_new_session=True,
    )
    os.close(terminal)
    screen = Terminal(controller)
    try:
        screen.expect("Password: ")
        screen.type("typed at the terminal")
        screen.expect("Repeat for confirmation: ")
        screen.type("typed differently")
        screen.expect("do not match")
        screen.expect("Password: ")
        screen.type("typed at the terminal")
        screen.expect("Repeat for confirmation: ")
        screen.type("typed at the terminal")
        output = screen.read_to_end()
        assert process.wait(timeout=60) == 0, output
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(controller)
    assert f"Created user {NEW_EMAIL}" in output
    assert "typed" not in output, "the terminal echoed the password"
    assert can_log_in(client, NEW_EMAIL, "typed at the terminal")


def test_no_password_outside_a_terminal_is_refused(app, runner):
    """No password and no terminal to ask in (a script): a one-line reason naming the ways to
    give one, and nothing written."""
    before = snapshot(app)
    refused(runner.invoke(args=["create-user", NEW_EMAIL]),
            "no password", "--password-file", PASSWORD_ENV, "terminal")
    assert snapshot(app) == before


@pytest.mark.parametrize(("arguments", "content", "environment", "words"), [
    (["--password", "long enough", "--password-file", "FILE"], "long enough", None,
     ["--password and --password-file"]),
    (["--password-file", "FILE"], "long enough", "long enough",
     [f"{PASSWORD_ENV} and --password-file"]),
    (["--password-file", "FILE"], "short\n", None, ["--password-file", "8 characters"]),
    (["--password-file", "FILE"], "", None, ["--password-file", "8 characters"]),
    (["--password-file", "FILE"], b"\xff\xfe not text", None, ["--password-file", "utf-8"]),
    (["--password-file", "MISSING"], None, None, ["--password-file", "no such file"]),
    ([], None, "short", [PASSWORD_ENV, "8 characters"]),
], ids=["option and file", "variable and file", "short in file", "empty file", "not utf-8",
        "missing file", "short in variable"])
def test_password_refusals_change_nothing(app, runner, monkeypatch, tmp_path, arguments, content,
                                          environment, words):
    """Two ways at once, a short or empty password, an unreadable file: refused, nothing written."""
    path = secret_file(tmp_path, content) if content is not None else str(tmp_path / "missing")
    if environment is not None:
        monkeypatch.setenv(PASSWORD_ENV, environment)
    arguments = [path if argument in ("FILE", "MISSING") else argument for argument in arguments]
    before = snapshot(app)
    refused(runner.invoke(args=["create-user", NEW_EMAIL, *arguments]), *words)
    assert snapshot(app) == before


def test_bad_email_is_refused_before_the_password_is_read(runner):
    """The email is checked first: nobody types a password twice to learn it was mistyped."""
    refused(runner.invoke(args=["create-user", "not-an-email"]), "email")


@pytest.mark.parametrize(("content", "secret"), [
    ("client secret from a file\n", "client secret from a file"),
    ("client secret from a file", "client secret from a file"),
])
def test_client_secret_from_a_file(runner, client, tmp_path, content, secret):
    """--secret-file: the file's text, less one trailing newline, is the secret; not printed."""
    output = ok(runner.invoke(args=[
        "create-client", "--client-id", "lp-file", "--secret-file", secret_file(tmp_path, content),
        "--redirect-uri", "https://liveperson.net",
    ]))
    assert secret not in output and "secret" not in output.lower()
    assert client_secret_works(client, "lp-file", secret)


def test_client_secret_from_standard_input(runner, client):
    ok(runner.invoke(args=["create-client", "--client-id", "lp-stdin", "--secret-file", "-",
                           "--redirect-uri", "https://liveperson.net"],
                     input="client secret piped in\n"))
    assert client_secret_works(client, "lp-stdin", "client secret piped in")


def test_client_secret_from_the_environment(runner, client, monkeypatch):
    monkeypatch.setenv(SECRET_ENV, "client secret from the environment")
    output = ok(runner.invoke(args=["create-client", "--client-id", "lp-env",
                                    "--redirect-uri", "https://liveperson.net"]))
    assert "from the environment" not in output
    assert client_secret_works(client, "lp-env", "client secret from the environment")


@pytest.mark.parametrize(("arguments", "content", "environment", "words"), [
    (["--secret", "s" * 20, "--secret-file", "FILE"], "s" * 20, None,
     ["--secret and --secret-file"]),
    (["--secret-file", "FILE"], "s" * 20, "s" * 20, [f"{SECRET_ENV} and --secret-file"]),
    (["--secret-file", "FILE"], "fifteen-chars!!\n", None, ["--secret-file", "16"]),
    (["--secret-file", "FILE"], "", None, ["--secret-file", "16"]),
    (["--secret-file", "MISSING"], None, None, ["--secret-file", "no such file"]),
    ([], None, "fifteen-chars!!", [SECRET_ENV, "16"]),
], ids=["option and file", "variable and file", "short in file", "empty file", "missing file",
        "short in variable"])
def test_client_secret_refusals_change_nothing(app, runner, monkeypatch, tmp_path, arguments,
                                               content, environment, words):
    """Two ways at once, a short or empty secret (never replaced by a generated one), a
    missing file: refused, nothing written."""
    path = secret_file(tmp_path, content) if content is not None else str(tmp_path / "missing")
    if environment is not None:
        monkeypatch.setenv(SECRET_ENV, environment)
    arguments = [path if argument in ("FILE", "MISSING") else argument for argument in arguments]
    before = snapshot(app)
    refused(runner.invoke(args=["create-client", "--client-id", "new-client", *arguments,
                                "--redirect-uri", "https://liveperson.net"]), *words)
    assert snapshot(app) == before


@pytest.mark.parametrize(("command", "option", "alternatives"), [
    ("create-user", "--password", ["--password-file", PASSWORD_ENV]),
    ("create-client", "--secret", ["--secret-file", SECRET_ENV]),
])
def test_help_discourages_secrets_on_the_command_line(runner, command, option, alternatives):
    """--help says why a secret on the command line is discouraged, and what to use instead."""
    text = " ".join(ok(runner.invoke(args=[command, "--help"])).split())
    described = text[text.index(f"{option} TEXT"):text.index(f"{option}-file FILE")]
    assert "Discouraged" in described and "other local users (ps)" in described
    for alternative in alternatives:
        assert alternative in text


# -- liveperson-config -----------------------------------------------------------------


PASTE = "What to paste into LivePerson's console"
KNOW = "What to know"


def config_sections(output: str) -> dict[str, dict[str, str]]:
    """liveperson-config's rows ("  Label   value"), under the heading each stands under."""
    sections: dict[str, dict[str, str]] = {}
    rows: dict[str, str] = {}
    for line in output.splitlines():
        match = re.fullmatch(r"  (\S.*?)\s{2,}(\S.*)", line)
        if match:
            rows[match.group(1)] = match.group(2)
        elif line.endswith(":") and not line.startswith(" "):
            rows = sections.setdefault(line.split(" (")[0].rstrip(":"), {})
    return sections


def config_rows(output: str) -> dict[str, str]:
    """Every row, whichever section it is in."""
    return {label: value for rows in config_sections(output).values()
            for label, value in rows.items()}


def b64url_int(value: str) -> int:
    return int.from_bytes(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)), "big")


def assert_public_key_is_the_active_key(client, line: str) -> None:
    assert re.fullmatch(r"[A-Za-z0-9+/]+=*", line), "one line of base64, no PEM header"
    public = load_der_public_key(base64.b64decode(line))  # SubjectPublicKeyInfo
    assert isinstance(public, rsa.RSAPublicKey)
    token = client.post("/api/liveperson/jwt", headers=bearer(login(client))).json["id_token"]
    kid = jwt.get_unverified_header(token)["kid"]
    (active,) = [key for key in client.get("/oauth2/v3/certs").json["keys"] if key["kid"] == kid]
    numbers = public.public_numbers()
    assert numbers.n == b64url_int(active["n"])
    assert numbers.e == b64url_int(active["e"])


def test_liveperson_config(runner, client):
    """Everything LivePerson's Consumer Identity Provider form asks for, exactly."""
    rows = config_rows(ok(runner.invoke(args=["liveperson-config"])))
    assert rows["JWT issuer (iss)"] == ISSUER
    assert rows["Issuer Display Name"] == "Example Brand"
    assert rows["Authentication Endpoint"] == ISSUER + "/oauth2/v3/authorize"
    assert rows["Token Endpoint"] == ISSUER + "/oauth2/v3/token"
    assert rows["Client ID"] == CLIENT_ID
    assert rows["JWKS Endpoint"] == ISSUER + "/oauth2/v3/certs"
    assert rows["JS Method Name"] == "lpGetAuthenticationToken"
    discovery = client.get("/.well-known/openid-configuration").json
    assert rows["JWT issuer (iss)"] == discovery["issuer"]
    assert rows["Token Endpoint"] == discovery["token_endpoint"]
    assert rows["JWKS Endpoint"] == discovery["jwks_uri"]
    assert_public_key_is_the_active_key(client, rows["JWT Public Key"])


def test_liveperson_config_separates_the_form_from_the_brand_side(runner):
    """The console's fields, in LivePerson's names and order, under one heading; the brand-side
    facts under another; and which flow the form is for, before both."""
    output = ok(runner.invoke(args=["liveperson-config"]))
    sections = config_sections(output)
    assert list(sections) == [PASTE, KNOW]
    assert list(sections[PASTE]) == [
        "OAuth 2.0 Authentication Type", "Code Flow With PKCE", "Issuer Display Name",
        "JWT issuer (iss)", "Authentication Endpoint", "Token Endpoint", "Client ID",
        "Client Secret", "IDP Certificate Type", "JWKS Endpoint", "JWT Public Key",
        "JS Method Name", "JS Context"]
    assert sections[PASTE]["OAuth 2.0 Authentication Type"] == "Code Flow"
    assert {"Redirect URIs registered", "Connector version", "Consumer Delegation", "JWE",
            "Revocation endpoint"} <= set(sections[KNOW])
    assert not set(sections[PASTE]) & set(sections[KNOW])
    assert output.index("For the code flow") < output.index(PASTE) < output.index(KNOW)
    assert "--flow implicit" in output.splitlines()[0]


def test_liveperson_config_for_the_implicit_flow(runner):
    """The implicit flow's form has no token endpoint and no client secret; they are still told."""
    sections = config_sections(ok(runner.invoke(args=["liveperson-config", "--flow", "implicit"])))
    paste, know = sections[PASTE], sections[KNOW]
    assert paste["OAuth 2.0 Authentication Type"] == "Implicit"
    assert not {"Token Endpoint", "Client ID", "Client Secret", "Code Flow With PKCE"} & set(paste)
    assert know["Token Endpoint"].startswith(ISSUER + "/oauth2/v3/token ")
    assert paste["JWT issuer (iss)"] == ISSUER
    assert know["JWE"].startswith("off")


def test_liveperson_config_of_a_pkce_client(app, runner, monkeypatch):
    ok(runner.invoke(args=["create-client", "--client-id", "lp-pkce", "--secret", "s" * 20,
                           "--redirect-uri", "https://liveperson.net", "--pkce-required"]))
    monkeypatch.setenv("BACKEND_LIVEPERSON_CLIENT_ID", "lp-pkce")
    rows = config_rows(ok(another_process(app).test_cli_runner().invoke(
        args=["liveperson-config"])))
    assert rows["Code Flow With PKCE"].startswith("tick it")


UNREACHABLE = "LivePerson's cloud cannot reach this issuer"


@pytest.mark.parametrize(("issuer", "reasons"), [
    ("http://127.0.0.1:8000", ["http, not https", "loopback"]),
    ("https://localhost:8443", ["loopback"]),
    ("https://[::1]", ["loopback"]),
    ("http://auth.brand.example", ["http, not https"]),
    ("https://10.0.0.7", ["private"]),
    ("https://192.168.1.20:8443", ["private"]),
    ("https://172.16.4.4", ["private"]),
    ("https://169.254.1.1", ["link-local"]),
    ("https://auth-server", ["local network name"]),
    ("https://auth.corp.internal", ["local network name"]),
])
def test_liveperson_config_warns_first_of_an_unreachable_issuer(app, issuer, reasons):
    output = ok(another_process(app, ISSUER=issuer).test_cli_runner().invoke(
        args=["liveperson-config"]))
    first = output.splitlines()[0]
    assert first.startswith(f"WARNING: {UNREACHABLE}: {issuer} (")
    assert "public HTTPS URL (docs/going-live.md)" in first
    for reason in reasons:
        assert reason in first
    assert config_rows(output)["JWT issuer (iss)"] == issuer  # the form is printed all the same


@pytest.mark.parametrize("issuer", [ISSUER, "https://auth.brand.example", "https://8.8.8.8",
                                    "https://auth.brand.example:8443/tenant"])
def test_liveperson_config_does_not_warn_of_a_public_https_issuer(app, issuer):
    output = ok(another_process(app, ISSUER=issuer).test_cli_runner().invoke(
        args=["liveperson-config"]))
    assert UNREACHABLE not in output
    assert output.startswith("For the code flow")


def test_liveperson_config_follows_rotation(runner, client):
    """After rotate-keys the printed public key is the key that now signs."""
    before = config_rows(ok(runner.invoke(args=["liveperson-config"])))["JWT Public Key"]
    ok(runner.invoke(args=["rotate-keys"]))
    after = config_rows(ok(runner.invoke(args=["liveperson-config"])))["JWT Public Key"]
    assert after != before
    assert_public_key_is_the_active_key(client, after)


def test_liveperson_config_without_the_client(app, monkeypatch):
    """A missing LivePerson client is a one-line refusal that names the fix."""
    monkeypatch.setenv("BACKEND_LIVEPERSON_CLIENT_ID", "lp-missing")
    other = another_process(app)
    refused(other.test_cli_runner().invoke(args=["liveperson-config"]),
            "lp-missing", "create-client")


# -- settings --------------------------------------------------------------------------


def settings_table(runner) -> list[str]:
    return ok(runner.invoke(args=["settings"])).splitlines()


def test_settings_is_a_markdown_table_of_every_variable(runner):
    """Every BACKEND_ variable, once, in a well-formed three-column Markdown table."""
    lines = settings_table(runner)
    assert lines[0] == "| Variable | Default | Meaning |"
    assert lines[1] == "| --- | --- | --- |"
    rows = lines[2:]
    assert all(line.count("|") == 4 for line in rows), "a cell contains a stray '|'"
    cells = [[cell.strip() for cell in line.strip("|").split("|")] for line in rows]
    assert [row[0] for row in cells] == [f"`{setting.env}`" for setting in SETTINGS]
    by_env = {row[0].strip("`"): row for row in cells}
    assert by_env["BACKEND_CODE_LIFETIME"][1] == "`60`"
    assert by_env["BACKEND_LIVEPERSON_JS_METHOD"][1] == "`lpGetAuthenticationToken`"
    assert by_env["BACKEND_DATABASE_URL"][1] == ""
    for setting in SETTINGS:
        assert by_env[setting.env][2] == setting.help


def test_configuration_reference_is_current(runner):
    """docs/configuration.md promises its table is this command's output."""
    documented = CONFIGURATION_DOC.read_text().splitlines()
    table = settings_table(runner)
    start = documented.index(table[0])
    assert documented[start:start + len(table) + 1] == [*table, ""], "docs/configuration.md's table is stale"


# -- configuration from the environment ------------------------------------------------


def base_settings(tmp_path: Path) -> dict[str, Any]:
    return {"ISSUER": ISSUER, "DATABASE_URL": f"sqlite:///{tmp_path / 'env.sqlite3'}",
            "SECRET_KEY": "env-secret-key"}


@pytest.mark.parametrize("value", ["sixty", "60s", "1.5", "", "-5"])
def test_non_integer_code_lifetime_stops_the_start(tmp_path, monkeypatch, value):
    """An integer setting that is not a whole number stops create_app, naming the variable."""
    monkeypatch.setenv("BACKEND_CODE_LIFETIME", value)
    with pytest.raises(SystemExit) as stopped:
        create_app(base_settings(tmp_path))
    message = str(stopped.value.code)
    assert "BACKEND_CODE_LIFETIME" in message
    assert repr(value) in message


def test_integer_code_lifetime_from_the_environment(tmp_path, monkeypatch):
    """BACKEND_CODE_LIFETIME is read from the environment and used for new codes."""
    monkeypatch.setenv("BACKEND_CODE_LIFETIME", "42")
    app = create_app(base_settings(tmp_path))
    runner = app.test_cli_runner()
    ok(runner.invoke(args=["init-db"]))
    ok(runner.invoke(args=["seed-demo"]))
    client = app.test_client()
    response = client.post("/api/liveperson/code", headers=bearer(login(client)))
    assert response.json["expires_in"] == 42
