"""`flask --app backend ...`: set up the database, users, clients and keys; print LivePerson's form.

Every command validates all its arguments before it writes anything, and exits non-zero with
a one-line reason when it refuses.
"""

from __future__ import annotations

import ipaddress
import json
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import click
from click.core import ParameterSource
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select, text

from backend import migrations
from backend.admin import Refused, accounts, clients, purge
from backend.config import SETTINGS
from backend.db import get_db
from backend.keys import public_key_spki_base64
from backend.login.passwords import MIN_LENGTH
from backend.models import Client, Order, SigningKey, User
from backend.models.base import utcnow
from backend.oidc.discovery import endpoint_urls
from backend.protocol.delegation import API_SCOPES, ORDERS_READ
from backend.protocol.redirection import CONNECTORS, LEGACY_CONNECTOR, RFC_CONNECTOR
from shared import contract
from shared.validation import secret_input

DEMO_USER = {
    "email": "demo@example.com",
    "password": "demo-password",
    "name": "Dana Demo",
    "given_name": "Dana",
    "family_name": "Demo",
    "phone_number": "+1-555-0100",
    "preferred_username": "dana",
}
DEMO_SDES: list[dict[str, Any]] = [
    {"type": "ctmrinfo", "info": {"cstatus": "active", "ctype": "vip", "customerId": "DEMO-0001",
                                  "balance": 120.5, "userName": "dana"}},
    {"type": "personal", "personal": {"firstname": "Dana", "lastname": "Demo",
                                      "contacts": [{"email": "demo@example.com",
                                                    "phone": "+1-555-0100"}]}},
]
DEMO_CLIENT_SECRET = "demo-client-secret"  # noqa: S105 (a demo value, printed on purpose)
DEMO_CLIENT_NAME = "LivePerson"
# The demo user's orders, which LivePerson's bots read through the demo API (GET /api/v1/orders):
# (reference, days ago, status, description, total in cents, currency).
DEMO_ORDERS = (
    ("A-1001", 41, "delivered", "Trail running shoes, size 42", 12990, "EUR"),
    ("A-1017", 9, "shipped", "Rain jacket, navy, M", 8950, "EUR"),
    ("A-1024", 1, "processing", "Two pairs of merino socks", 2400, "EUR"),
)

# Any local user can read another's command line (`ps`, /proc/PID/cmdline), and shells keep it
# in their history; a process's environment only its owner and root can read.
NEW_USER_PASSWORD_ENV = "BACKEND_NEW_USER_PASSWORD"  # noqa: S105 (a variable's name)
NEW_CLIENT_SECRET_ENV = "BACKEND_NEW_CLIENT_SECRET"  # noqa: S105 (a variable's name)
_VISIBLE = ("Discouraged: a value on the command line is visible to other local users (ps) and "
            "stays in the shell's history.")

# LivePerson's two versions of its OAuth connector (backend/protocol/redirection.py).
CONNECTOR_NAMES = {RFC_CONNECTOR: "OAuth 2 RFC", LEGACY_CONNECTOR: "openID (legacy)"}
_connector_option = click.option(
    "--liveperson-connector", type=click.Choice(CONNECTORS), default=RFC_CONNECTOR,
    show_default=True,
    help="The version of LivePerson's OAuth connector the client serves: oauth2 ('OAuth 2 RFC', "
         "every connector's since May 2018) or openid, the legacy version, which adds the pop-out "
         "window's parameters to redirect_uri as a query and sends the token endpoint another "
         "registered redirect URI. openid loosens redirect URI matching for this client: only "
         "for a connector LivePerson still runs as openID.",
)


def init_app(app: Flask) -> None:
    for command in (init_db, create_user, create_client, rotate_keys, liveperson_config,
                    seed_demo, settings, purge_expired, new_migration):
        app.cli.add_command(command)


# Any fixed number: the PostgreSQL advisory lock that init-db and seed-demo hold.
_SETUP_LOCK = 7_203_311


@contextmanager
def _one_replica_at_a_time() -> Iterator[None]:
    """Replicas started together on one PostgreSQL run init-db and seed-demo one after
    another; otherwise two would create the same tables, the same demo user, two first keys."""
    engine = current_app.extensions["db_engine"]
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _SETUP_LOCK})
        connection.commit()
        try:
            yield
        finally:
            # A session-level lock outlives transactions: released explicitly.
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _SETUP_LOCK})
            connection.commit()


@click.command("init-db")
@with_appcontext
@_one_replica_at_a_time()
def init_db() -> None:
    """Apply the schema migrations and create the first signing key. Safe to run again."""
    try:
        with current_app.extensions["db_engine"].begin() as connection:
            migrations.upgrade(connection)
    except migrations.UnversionedDatabase as error:
        raise click.ClickException(str(error)) from None
    db = get_db()
    if db.scalar(select(SigningKey.kid).limit(1)) is None:
        key = current_app.extensions["keyring"].add_key(db)
        click.echo(f"Generated signing key {key.kid}.")
    click.echo("Database ready.")


@click.command("new-migration")
@with_appcontext
@click.argument("message")
def new_migration(message: str) -> None:
    """Draft the next schema migration from the models (review it before committing)."""
    with current_app.extensions["db_engine"].begin() as connection:
        migrations.draft(connection, message)


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option("--password", envvar=NEW_USER_PASSWORD_ENV, show_envvar=True,
              help=f"At least {MIN_LENGTH} characters. {_VISIBLE} Prefer --password-file, the "
                   "variable, or no option in a terminal: the password is then asked for, hidden.")
@click.option("--password-file", type=click.Path(dir_okay=False, allow_dash=True),
              help="Read the password from this file ('-': standard input); one trailing "
                   "newline is dropped.")
@click.option("--name")
@click.option("--given-name")
@click.option("--family-name")
@click.option("--preferred-username")
@click.option("--phone-number")
@click.option("--lp-sdes", help="LivePerson SDEs: a JSON array of ctmrinfo/personal objects.")
def create_user(email: str, password: str | None, password_file: str | None, lp_sdes: str | None,
                **profile: str | None) -> None:
    """Add a customer who can log in."""
    lp_sdes_value = _parse_sdes(lp_sdes)
    with _as_click_errors():
        email = accounts.checked_email(email)  # before the password is asked for
    password, source = _given_secret("password", NEW_USER_PASSWORD_ENV, password, password_file)
    if password is None:
        if not (sys.stdin and sys.stdin.isatty()):
            raise click.ClickException(
                f"No password: give --password-file or {NEW_USER_PASSWORD_ENV}, or run in a "
                "terminal to be asked for it."
            )
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with _as_click_errors():
        user = accounts.create_user(get_db(), email, password, lp_sdes_value, profile,
                                    given_by=source)
    click.echo(f"Created user {user.email} (sub {user.subject}).")


@click.command("create-client")
@with_appcontext
@click.option("--client-id", required=True)
@click.option("--secret", envvar=NEW_CLIENT_SECRET_ENV, show_envvar=True,
              help=f"At least 16 characters; generated and printed when no secret is given. {_VISIBLE} "
                   "Prefer --secret-file or the variable.")
@click.option("--secret-file", type=click.Path(dir_okay=False, allow_dash=True),
              help="Read the secret from this file ('-': standard input); one trailing newline "
                   "is dropped.")
@click.option("--redirect-uri", "redirect_uris", multiple=True, required=True,
              help="Repeat for every form LivePerson sends; compared exactly (but see "
                   "--liveperson-connector).")
@click.option("--pkce-required", is_flag=True, help="Refuse authorization requests without PKCE.")
@click.option("--allow-plain-pkce", is_flag=True, help="Also accept code_challenge_method=plain.")
@_connector_option
@click.option("--delegation-scope", "delegation_scopes", multiple=True, metavar="SCOPE",
              help="Consumer Delegation: a scope of the brand's API the client may be granted "
                   f"({', '.join(API_SCOPES)}); repeat for each. A code for it also gets a refresh "
                   "token. None: delegation is off.")
@click.option("--first-party", is_flag=True,
              help="The client is the brand's own for its delegated scopes: customers are not "
                   "asked to consent to them.")
@click.option("--name", help="The name customers read on the consent page and their account "
                             "page; default the client id.")
def create_client(client_id: str, secret: str | None, secret_file: str | None,
                  redirect_uris: tuple[str, ...], pkce_required: bool, allow_plain_pkce: bool,
                  liveperson_connector: str, delegation_scopes: tuple[str, ...], first_party: bool,
                  name: str | None) -> None:
    """Register an OAuth client (LivePerson, for one account)."""
    given, source = _given_secret("secret", NEW_CLIENT_SECRET_ENV, secret, secret_file)
    generated = given is None
    secret = secrets.token_urlsafe(32) if given is None else given  # "" is refused, not replaced
    with _as_click_errors():
        clients.register_client(get_db(), client_id, secret, list(redirect_uris),
                                pkce_required=pkce_required, allow_plain_pkce=allow_plain_pkce,
                                liveperson_connector=liveperson_connector,
                                delegation_scopes=list(delegation_scopes), first_party=first_party,
                                name=name, given_by=source)
    click.echo(f"Created client {client_id}.")
    if generated:
        click.echo(f"Client secret (shown once, stored hashed): {secret}")
    if liveperson_connector == LEGACY_CONNECTOR:
        _legacy_notice(client_id, pkce_required)


@click.command("rotate-keys")
@with_appcontext
def rotate_keys() -> None:
    """Add a new signing key; it is published now and signs after KEY_REFRESH_INTERVAL."""
    key = current_app.extensions["keyring"].add_key(get_db())
    click.echo(f"Added key {key.kid}: published now, signing from {key.activates_at.isoformat()}.")
    click.echo("Retired keys stay in the JWKS until every token they signed has expired.")


# The flows, as LivePerson's console names them in its "OAuth 2.0 Authentication Type".
FLOWS = {"code": "Code Flow", "implicit": "Implicit"}
_PRIVATE_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa")


def issuer_unreachable(issuer: str) -> list[str]:
    """Why LivePerson's cloud cannot reach `issuer` (empty when it is a public https URL).
    Only the URL is examined, no DNS: a public name that resolves to a private address is
    not caught here, `liveperson-check` run from outside is."""
    parts = urlsplit(issuer)
    reasons = []
    if parts.scheme != "https":
        reasons.append(f"{parts.scheme or 'no scheme'}, not https")
    host = (parts.hostname or "").rstrip(".").lower()
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None:
        if address.is_loopback:
            reasons.append("a loopback address")
        elif address.is_link_local:
            reasons.append("a link-local address")
        elif address.is_private or address.is_reserved or address.is_unspecified:
            reasons.append("a private address")
    elif not host:
        reasons.append("no host")
    elif host == "localhost" or host.endswith(".localhost"):
        reasons.append("a loopback name")
    elif "." not in host or host.endswith(_PRIVATE_SUFFIXES):
        reasons.append("a local network name")
    return reasons


@click.command("liveperson-config")
@with_appcontext
@click.option("--flow", type=click.Choice(tuple(FLOWS)), default="code", show_default=True,
              help="The authentication type chosen in LivePerson's console.")
def liveperson_config(flow: str) -> None:
    """Print what to paste into LivePerson's console, and what to know besides."""
    config = current_app.config
    db = get_db()
    client = db.get(Client, config["LIVEPERSON_CLIENT_ID"])
    if client is None:
        raise click.ClickException(
            f"No client {config['LIVEPERSON_CLIENT_ID']!r}: run create-client first."
        )
    issuer = config["ISSUER"]
    reasons = issuer_unreachable(issuer)
    if reasons:
        click.echo(f"WARNING: LivePerson's cloud cannot reach this issuer: {issuer} "
                   f"({'; '.join(reasons)}); put the backend behind a public HTTPS URL "
                   "(docs/going-live.md).")
        click.echo()
    signing = current_app.extensions["keyring"].signing_key(db)
    urls = endpoint_urls(issuer)
    code = flow == "code"
    click.echo("For the code flow (LivePerson's backend redeems the app's code at the token "
               "endpoint); --flow implicit for the other." if code else
               "For the implicit flow (the app hands LivePerson a signed id_token; no token "
               "endpoint, no client secret).")
    # The form's fields in its order and words: LivePerson's "Authenticate in Web and Mobile
    # Messaging: Configuration" (Management Console, Consumer Identity Provider).
    paste = [("OAuth 2.0 Authentication Type", FLOWS[flow])]
    if code:
        paste.append(("Code Flow With PKCE", "tick it (the client requires it)" if client.pkce_required
                      else "leave it unticked (tick it only for a client made with --pkce-required)"))
    paste += [
        ("Issuer Display Name", config["BRAND_NAME"]),
        ("JWT issuer (iss)", issuer),
        ("Authentication Endpoint", urls["authorization_endpoint"]),
    ]
    if code:
        paste += [
            ("Token Endpoint", urls["token_endpoint"]),
            ("Client ID", client.client_id),
            ("Client Secret", "(the secret given to create-client; it is stored hashed)"),
        ]
    paste += [
        ("IDP Certificate Type", "JWKS Endpoint: it follows rotate-keys (a JWT Public Key must be "
                                 "pasted again after each rotation)"),
        ("JWKS Endpoint", urls["jwks_uri"]),
        ("JWT Public Key", public_key_spki_base64(signing.public_jwk)),
        ("JS Method Name", config["LIVEPERSON_JS_METHOD"]),
        ("JS Context", "(empty, unless the page keeps the method in an object, e.g. brand.auth)"),
    ]
    know = [
        ("Redirect URIs registered", " ".join(client.redirect_uris)),
        ("Connector version", f"{CONNECTOR_NAMES[client.liveperson_connector]} "
                              f"(--liveperson-connector {client.liveperson_connector})"),
        ("Consumer Delegation", _delegation(client)),
        ("JWE", _jwe(config, flow)),
        ("Revocation endpoint", urls["revocation_endpoint"]),
    ]
    if not code:
        know.insert(0, ("Token Endpoint", f"{urls['token_endpoint']} (not used by the implicit "
                                          f"flow; client {client.client_id})"))
    width = max(len(label) for label, _ in paste + know)
    for title, rows in (("What to paste into LivePerson's console (Consumer Identity Provider):",
                         paste),
                        ("What to know (the brand's side; nothing to paste):", know)):
        click.echo()
        click.echo(title)
        for label, value in rows:
            click.echo(f"  {label.ljust(width)}  {value}")


def _jwe(config: Any, flow: str) -> str:
    if flow == "code":
        return "implicit flow only (--flow implicit)"
    if config["LIVEPERSON_JWE_PUBLIC_KEY"]:
        return (f"on: id_tokens are encrypted to LivePerson's key "
                f"(kid {config['LIVEPERSON_JWE_KID']}, {config['LIVEPERSON_JWE_ENC']})")
    return "off (set BACKEND_LIVEPERSON_JWE_PUBLIC_KEY to the key LivePerson gives)"


def _delegation(client: Client) -> str:
    if not client.delegation_scopes:
        return "off (create-client --delegation-scope)"
    consent = "first-party, no consent asked" if client.first_party else "each customer consents once"
    return f"scope {' '.join(['openid', *client.delegation_scopes])} ({consent})"


@click.command("seed-demo")
@with_appcontext
@_one_replica_at_a_time()
@click.option("--liveperson-url", default="http://127.0.0.1:8002",
              help="The local LivePerson stand-in, whose pop-out window and delegation callback "
              "are redirect URIs.")
@_connector_option
def seed_demo(liveperson_url: str, liveperson_connector: str) -> None:
    """Create the demo user with their orders, and the demo LivePerson client (delegated
    orders.read, asking each customer's consent), if they are missing."""
    db = get_db()
    user = db.scalar(select(User).where(User.email == DEMO_USER["email"]))
    if user is None:
        profile = {k: v for k, v in DEMO_USER.items() if k not in ("email", "password")}
        user = accounts.create_user(db, DEMO_USER["email"], DEMO_USER["password"], DEMO_SDES, profile)
    if db.scalar(select(Order.id).where(Order.user_id == user.id).limit(1)) is None:
        now = utcnow()
        db.add_all(Order(user_id=user.id, reference=reference, placed_at=now - timedelta(days=days),
                         status=status, description=description, total_cents=cents, currency=currency)
                   for reference, days, status, description, cents, currency in DEMO_ORDERS)
        db.commit()
    client_id = current_app.config["LIVEPERSON_CLIENT_ID"]
    client = db.get(Client, client_id)
    if client is None:
        # The stand-in's pop-out window, and where its bot's verification link comes back.
        standin = liveperson_url.rstrip("/")
        popout = standin + contract.POPOUT_WINDOW_PATH
        callback = standin + contract.DELEGATION_CALLBACK_PATH.format(account=contract.STANDIN_ACCOUNT)
        client = clients.register_client(
            db, client_id, DEMO_CLIENT_SECRET, [*contract.REDIRECT_URIS, popout, callback],
            pkce_required=False, allow_plain_pkce=False, liveperson_connector=liveperson_connector,
            delegation_scopes=[ORDERS_READ], name=DEMO_CLIENT_NAME,
        )
    click.echo(f"Demo user:   {DEMO_USER['email']} / {DEMO_USER['password']}")
    click.echo(f"Demo client: {client_id} / {DEMO_CLIENT_SECRET}")
    if client.liveperson_connector != RFC_CONNECTOR:
        click.echo(f"             for LivePerson's {CONNECTOR_NAMES[client.liveperson_connector]} "
                   "connector")
    given = click.get_current_context().get_parameter_source("liveperson_connector")
    if given is not ParameterSource.DEFAULT and client.liveperson_connector != liveperson_connector:
        click.echo(f"The demo client already exists: --liveperson-connector {liveperson_connector} "
                   "changed nothing.")


def _legacy_notice(client_id: str, pkce_required: bool) -> None:
    click.echo(f"{client_id} serves LivePerson's legacy openID connector: its authorization "
               "requests may add a query to a registered redirect URI that has none, and its "
               "token requests may name any registered one (docs/security.md).")
    advice = "Ask LivePerson to move the connector to OAuth 2 RFC, then register a client without it."
    if not pkce_required:
        advice += " Until then, --pkce-required keeps a stolen code useless if LivePerson sends PKCE."
    click.echo(advice)


@click.command("purge-expired")
@with_appcontext
def purge_expired() -> None:
    """Delete what can no longer be used; run it from cron. A consumed code is kept until the
    token issued from it has expired, so its reuse is still recognised (and revokes) until then."""
    removed = purge.purge_expired(get_db(), utcnow(), current_app.config["LOGIN_WINDOW"])
    click.echo(", ".join(f"{count} {what}" for what, count in removed.items()) + " deleted.")


@click.command("settings")
@with_appcontext
def settings() -> None:
    """Print every BACKEND_* setting as a Markdown table (docs/configuration.md)."""
    click.echo("| Variable | Default | Meaning |\n| --- | --- | --- |")
    for setting in SETTINGS:
        default = f"`{setting.default}`" if setting.default not in (None, "") else ""
        click.echo(f"| `{setting.env}` | {default} | {setting.help} |")


def _parse_sdes(text: str | None) -> list[dict[str, Any]] | None:
    if text is None:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise click.BadParameter(f"not JSON: {error}", param_hint="--lp-sdes") from None
    with _as_click_errors():
        return accounts.checked_sdes(value)


def _given_secret(option: str, variable: str, value: str | None,
                  path: str | None) -> tuple[str | None, str]:
    """The secret given to `--option`, its environment `variable` or `--option-file`, and which
    of them gave it (for error messages); refused when two do."""
    context = click.get_current_context()
    from_environment = context.get_parameter_source(option) is ParameterSource.ENVIRONMENT
    source = variable if from_environment else f"--{option}"
    if path is None:
        return value, source
    if value is not None:
        raise click.UsageError(f"{source} and --{option}-file both give the {option}: give one.")
    try:
        return secret_input.read_file(path), f"--{option}-file"
    except secret_input.SecretUnavailable as error:
        raise click.BadParameter(str(error), param_hint=f"--{option}-file") from None


@contextmanager
def _as_click_errors() -> Iterator[None]:
    """An operator's refusal, named after the option at fault."""
    try:
        yield
    except Refused as refused:
        if refused.option is None:
            raise click.ClickException(refused.message) from None
        raise click.BadParameter(refused.message, param_hint=refused.option) from None
