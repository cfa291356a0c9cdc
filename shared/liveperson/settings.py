"""The stand-in's settings: command-line options, each also read from a `LIVEPERSON_*` variable.

They mirror what a brand enters in LivePerson's console for an authenticated account. The client
secret is best given as a file or a variable (LIVEPERSON_CLIENT_SECRET_FILE, LIVEPERSON_CLIENT_SECRET),
or typed at the prompt: on the command line every local user can read it.

Consumer Delegation adds the app installation that may read delegated tokens (the Get Tokens
API's client credentials; its secret by file or variable only, else one made in the instance
folder), the scope the verification link asks for, and the demo bot (`--bot`) with the brand API
it calls.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from shared import contract
from shared.validation import secret_input
from shared.validation.authenticate import Settings as ValidationSettings
from shared.validation.discovery import allowed_host

FLOWS = ("code", "implicit")
APP_SECRET_FILE = "app-client-secret"  # noqa: S105 (a file name) in the instance folder, when none is given


@dataclass(frozen=True)
class StandInSettings:
    validation: ValidationSettings
    account: str = contract.STANDIN_ACCOUNT
    flow: str = "code"  # what the Web SDK tag and the pop-out window ask the brand for
    js_method: str = contract.JS_METHOD
    js_context: str | None = None
    redirect_uri: str = contract.DEFAULT_REDIRECT_URI
    rfc_compliance: str = contract.RFC_CONNECTOR  # the connector version (contract.CONNECTORS)
    jwe_key_file: Path | None = None  # keeps the encryption key the brand configured across restarts
    # The database of consumers, conversations and messages, and the consumer tokens' signing key.
    instance_folder: Path = Path("instance/liveperson")
    unauthenticated_messaging: bool = True  # LivePerson's Messaging.Un_Auth_Messaging feature
    unauthenticated_lifetime: int = 3600  # seconds an unauthenticated consumer token lasts
    idle_timeout: float = 60  # seconds without a frame before a consumer's socket is closed
    # Where browsers reach the stand-in: the verification link's redirect URI is on this origin.
    public_url: str = "http://127.0.0.1:8002"
    delegation_scope: str = "openid orders.read"  # what the verification link asks the brand for
    # The app installation allowed to read delegated tokens (Get Tokens API); no secret given:
    # one is made in the instance folder (APP_SECRET_FILE).
    app_client_id: str = "liveperson-app"
    app_client_secret: str | None = field(default=None, repr=False)
    bot: bool = False  # the demo bot answers the customers' questions about their orders
    brand_api_url: str | None = None  # what the bot calls; default the issuer's /api/v1/orders

    def __post_init__(self) -> None:
        # LivePerson encrypts only the implicit flow's id_token ("Consumer Authentication -
        # Implicit flow"); with the code flow, --jwe would refuse every plain id_token.
        if self.validation.jwe and self.flow != "implicit":
            raise ValueError(
                "JWE applies to the implicit flow only: add --flow implicit (LIVEPERSON_FLOW=implicit), "
                "or leave out --jwe (LIVEPERSON_JWE)."
            )

    def orders_url(self) -> str:
        return self.brand_api_url or self.validation.issuer.rstrip("/") + "/api/v1/orders"


# Each default is stated once, in the dataclasses; an option's default is its field's.
_DEFAULTS: dict[str, Any] = {
    field.name: field.default for cls in (ValidationSettings, StandInSettings) for field in fields(cls)
}


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"LIVEPERSON_{name}", default)


def _default(name: str) -> Any:
    """The option's LIVEPERSON_* variable, else its field's default (converted by argparse)."""
    value = _DEFAULTS[name]
    return _env(name.upper(), None if value is None else str(value))


def _flag(name: str) -> bool:
    return (_env(name) or "").lower() in ("1", "true", "yes", "on")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m shared.liveperson",
        description="A local stand-in for LivePerson's side of consumer authentication.",
    )
    p.add_argument("--host", default=_env("HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=_env("PORT", "8002"))
    p.add_argument("--issuer", default=_env("ISSUER"), help="the brand's issuer URL, exactly")
    p.add_argument("--client-id", default=_default("client_id"))
    secret = p.add_mutually_exclusive_group()
    secret.add_argument(
        "--client-secret-file",
        metavar="FILE",
        help="a file holding the client secret (one trailing newline is ignored); or set "
        "LIVEPERSON_CLIENT_SECRET_FILE or LIVEPERSON_CLIENT_SECRET, or be asked at a hidden prompt",
    )
    secret.add_argument(
        "--client-secret",
        metavar="SECRET",
        help="the client secret itself; discouraged: any local user can read it in the process list (ps)",
    )
    p.add_argument(
        "--auth-method",
        choices=("basic", "post"),
        default=_default("auth_method"),
        help="client_secret_basic or client_secret_post at the brand's token endpoint",
    )
    p.add_argument(
        "--public-key",
        default=_default("public_key"),
        help="the brand's public key, one-line base64 SPKI (default: use its JWKS)",
    )
    p.add_argument("--jwks-uri", default=_default("jwks_uri"), help="default: from discovery")
    p.add_argument("--token-endpoint", default=_default("token_endpoint"), help="default: from discovery")
    p.add_argument(
        "--authorization-endpoint",
        default=_default("authorization_endpoint"),
        help="the pop-out window's target; default: from discovery (set it with --token-endpoint)",
    )
    p.add_argument(
        "--userinfo-endpoint", default=_default("userinfo_endpoint"), help="default: from discovery"
    )
    p.add_argument("--pkce", action="store_true", default=_flag("PKCE"))
    p.add_argument(
        "--jwe",
        action="store_true",
        default=_flag("JWE"),
        help="expect the implicit flow's JWT encrypted with the stand-in's public key (with --flow implicit)",
    )
    p.add_argument("--userinfo", action="store_true", default=_flag("USERINFO"))
    p.add_argument("--skew", type=int, default=_default("skew"))
    p.add_argument("--timeout", type=float, default=_default("timeout"))
    p.add_argument("--account", default=_default("account"))
    p.add_argument("--flow", choices=FLOWS, default=_default("flow"))
    p.add_argument("--js-method", default=_default("js_method"))
    p.add_argument("--js-context", default=_default("js_context"))
    p.add_argument("--redirect-uri", default=_default("redirect_uri"))
    p.add_argument(
        "--rfc-compliance", choices=contract.CONNECTORS, default=_default("rfc_compliance"),
        help="the connector version to emulate: oauth2 (default, LivePerson's since 2018) or the "
        "legacy openid, for a brand client registered for it",
    )
    p.add_argument("--jwe-key-file", type=Path, default=_default("jwe_key_file"))
    p.add_argument(
        "--instance-folder", type=Path, default=_default("instance_folder"),
        help="where conversations and the consumer tokens' key are kept (default instance/liveperson)",
    )
    p.add_argument(
        "--no-unauthenticated-messaging", dest="unauthenticated_messaging", action="store_false",
        default=not _flag("NO_UNAUTHENTICATED_MESSAGING"),
        help="refuse signup: only customers the brand authenticates may message",
    )
    p.add_argument("--unauthenticated-lifetime", type=int, default=_default("unauthenticated_lifetime"))
    p.add_argument("--idle-timeout", type=float, default=_default("idle_timeout"))
    p.add_argument(
        "--public-url", default=_env("PUBLIC_URL"),
        help="where browsers reach the stand-in (default http://HOST:PORT); the verification "
        "link's redirect URI is {public-url}/callback/{account}/redirectCode, and the agent "
        "workspace and inspector answer at its host (or a loopback address) only",
    )
    p.add_argument(
        "--delegation-scope", default=_default("delegation_scope"),
        help="the scope the verification link asks the brand for (Consumer Delegation)",
    )
    p.add_argument(
        "--app-client-id", default=_default("app_client_id"),
        help="the app installation that may read delegated tokens (Get Tokens API)",
    )
    p.add_argument(
        "--app-client-secret-file", metavar="FILE",
        help="a file holding the app installation's secret; or set LIVEPERSON_APP_CLIENT_SECRET or "
        f"LIVEPERSON_APP_CLIENT_SECRET_FILE; default: made once, in the instance folder's {APP_SECRET_FILE}",
    )
    p.add_argument(
        "--bot", action="store_true", default=_flag("BOT"),
        help="the demo bot: answers questions about orders from the brand's API",
    )
    p.add_argument(
        "--brand-api-url", default=_default("brand_api_url"),
        help="the brand API the bot calls for the customer's orders (default: ISSUER/api/v1/orders)",
    )
    p.add_argument(
        "--allow-host",
        action="append",
        type=allowed_host,
        default=[],
        metavar="HOST[:PORT]",
        help="a host besides the issuer's that the discovery document may send the stand-in to "
        "(jwks_uri, token_endpoint, userinfo_endpoint); repeatable; LIVEPERSON_ALLOW_HOST takes a "
        "comma-separated list. Endpoints given by hand (--token-endpoint, ...) are allowed anyway",
    )
    return p


def from_arguments(
    argv: list[str] | None = None, ask: secret_input.Ask | None = None
) -> tuple[argparse.Namespace, StandInSettings]:
    """`ask` prompts for a missing client secret (by default, a hidden prompt when stdin is a
    terminal); without one, there is no secret (enough for the implicit flow)."""
    p = parser()
    args = p.parse_args(argv)
    if not args.issuer:
        p.error("--issuer (or LIVEPERSON_ISSUER) is required: the brand's issuer URL")
    try:
        client_secret = secret_input.resolve(
            value=args.client_secret,
            file=args.client_secret_file,
            environ=os.environ,
            variable="LIVEPERSON_CLIENT_SECRET",
            file_variable="LIVEPERSON_CLIENT_SECRET_FILE",
            ask=ask or secret_input.terminal_prompt(),
            prompt=f"Client secret of {args.client_id or 'the client'} (Enter for none): ",
        )
        app_client_secret = secret_input.resolve(
            value=None,
            file=args.app_client_secret_file,
            environ=os.environ,
            variable="LIVEPERSON_APP_CLIENT_SECRET",
            file_variable="LIVEPERSON_APP_CLIENT_SECRET_FILE",
        )
    except secret_input.SecretUnavailable as error:
        p.error(str(error))
    try:
        listed = [allowed_host(host) for host in (_env("ALLOW_HOST") or "").split(",") if host.strip()]
    except argparse.ArgumentTypeError as error:
        p.error(f"LIVEPERSON_ALLOW_HOST: {error}")
    validation = ValidationSettings(
        issuer=args.issuer,
        client_id=args.client_id,
        client_secret=client_secret or "",
        auth_method=args.auth_method,
        public_key=args.public_key,
        pkce=args.pkce,
        jwe=args.jwe,
        skew=args.skew,
        timeout=args.timeout,
        userinfo=args.userinfo,
        token_endpoint=args.token_endpoint,
        jwks_uri=args.jwks_uri,
        authorization_endpoint=args.authorization_endpoint,
        userinfo_endpoint=args.userinfo_endpoint,
        allow_hosts=(*listed, *args.allow_host),
    )
    try:
        settings = StandInSettings(
            validation=validation,
            account=args.account,
            flow=args.flow,
            js_method=args.js_method,
            js_context=args.js_context,
            redirect_uri=args.redirect_uri,
            rfc_compliance=args.rfc_compliance,
            jwe_key_file=args.jwe_key_file,
            instance_folder=args.instance_folder,
            unauthenticated_messaging=args.unauthenticated_messaging,
            unauthenticated_lifetime=args.unauthenticated_lifetime,
            idle_timeout=args.idle_timeout,
            public_url=(args.public_url or f"http://{args.host}:{args.port}").rstrip("/"),
            delegation_scope=args.delegation_scope,
            app_client_id=args.app_client_id,
            app_client_secret=app_client_secret or None,
            bot=args.bot,
            brand_api_url=args.brand_api_url,
        )
    except ValueError as error:
        p.error(str(error))
    return args, settings
