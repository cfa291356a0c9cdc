"""`liveperson-check ISSUER_URL --client-id ID [--client-secret-file F] [--redirect-uri URI]
(--code=CODE | --email E [--password-file F]) [--delegation-scope SCOPE [--brand-api URL]] [--json]
[--timeout SECONDS] [--allow-host HOST[:PORT]]`

The client secret and the password come from a file, an environment variable
(LIVEPERSON_CHECK_CLIENT_SECRET, LIVEPERSON_CHECK_PASSWORD) or a hidden prompt; on the command
line they would be visible to every local user.

Prints one line per check (`check-id  PASS|WARN|FAIL  reason`), or with `--json` the document
`{"passed": bool, "checks": [{"id", "status", "reason"}]}`. Exit status 1 when a check fails,
0 otherwise, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence

from shared.checker.reasons import FAIL, CheckResult
from shared.checker.registry import CHECK_IDS, DELEGATION_CHECK_IDS, run_checks
from shared.checker.run import DEFAULT_REDIRECT_URI, DEFAULT_TIMEOUT, Target
from shared.validation import secret_input
from shared.validation.discovery import allowed_host

# The environment variables' names (not secrets themselves).
SECRET_VARIABLE = "LIVEPERSON_CHECK_CLIENT_SECRET"  # noqa: S105
PASSWORD_VARIABLE = "LIVEPERSON_CHECK_PASSWORD"  # noqa: S105
_VISIBLE = "discouraged: any local user can read it in the process list (ps)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="liveperson-check",
        description="Run LivePerson's consumer-authentication validation against a brand backend and "
        "report, rule by rule, what LivePerson would accept or reject.",
        epilog="Checks, in order: " + ", ".join(CHECK_IDS) + ". Exit status: 0 when no check fails, "
        "1 when one does, 2 for a usage error.",
    )
    parser.add_argument(
        "issuer",
        metavar="ISSUER_URL",
        help="the issuer configured in LivePerson; discovery is read from "
        "ISSUER_URL/.well-known/openid-configuration",
    )
    parser.add_argument("--client-id", required=True, help="the client id LivePerson authenticates with")
    secret = parser.add_mutually_exclusive_group()
    secret.add_argument(
        "--client-secret-file",
        metavar="FILE",
        help=f"a file holding the client secret (one trailing newline is ignored); or set {SECRET_VARIABLE},"
        " or be asked for it at a hidden prompt",
    )
    secret.add_argument("--client-secret", metavar="SECRET", help=f"the client secret itself; {_VISIBLE}")
    parser.add_argument(
        "--redirect-uri",
        default=DEFAULT_REDIRECT_URI,
        help=f"the redirect URI the codes are issued for (default {DEFAULT_REDIRECT_URI})",
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--code",
        help="one authorization code obtained by hand, written --code=CODE since a code may begin with '-'"
        " (checks that need a fresh code are then skipped)",
    )
    source.add_argument(
        "--email",
        help="a customer login; codes are obtained from the backend's "
        "POST /api/session and POST /api/liveperson/code",
    )
    password = parser.add_mutually_exclusive_group()
    password.add_argument(
        "--password-file",
        metavar="FILE",
        help=f"a file holding the password for --email; or set {PASSWORD_VARIABLE}, "
        "or be asked for it at a hidden prompt",
    )
    password.add_argument("--password", help=f"the password for --email itself; {_VISIBLE}")
    parser.add_argument(
        "--delegation-scope",
        metavar="SCOPE",
        help="also check Consumer Delegation: ask for codes with this delegated scope (with --email), "
        "then check the refresh grant, rotation, reuse and revocation: " + ", ".join(DELEGATION_CHECK_IDS),
    )
    parser.add_argument(
        "--brand-api",
        metavar="URL",
        help="with --delegation-scope: the brand API a bot calls with the delegated access token (GET)",
    )
    parser.add_argument("--json", action="store_true", help="print a JSON document instead of lines")
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"timeout of each HTTP request (default {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--allow-host",
        action="append",
        default=[],
        type=allowed_host,
        metavar="HOST[:PORT]",
        help="a host besides the issuer's that the discovery document may send the checker to "
        "(jwks_uri, token_endpoint, userinfo_endpoint); repeatable. A bare HOST means the default port",
    )
    return parser


def parse_target(
    argv: Sequence[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    ask: secret_input.Ask | None = None,
) -> tuple[Target, bool]:
    """The target and whether JSON was asked for; exits with status 2 on a usage error.
    `ask` prompts for a missing secret (by default, a hidden prompt when stdin is a terminal)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    environ = os.environ if environ is None else environ
    ask = ask or secret_input.terminal_prompt()
    if args.code is not None and not args.code.strip():
        parser.error("--code is empty")
    if args.code is not None and (args.password is not None or args.password_file is not None):
        parser.error("--password goes with --email, not with --code")
    if args.delegation_scope is not None and args.email is None:
        parser.error("--delegation-scope needs --email: the checks ask for codes with that scope")
    if not args.timeout > 0:
        parser.error("--timeout must be a positive number of seconds")
    try:
        client_secret = secret_input.resolve(
            value=args.client_secret,
            file=args.client_secret_file,
            environ=environ,
            variable=SECRET_VARIABLE,
            ask=ask,
            prompt=f"Client secret of {args.client_id}: ",
        )
        password = None
        if args.email is not None:
            password = secret_input.resolve(
                value=args.password,
                file=args.password_file,
                environ=environ,
                variable=PASSWORD_VARIABLE,
                ask=ask,
                prompt=f"Password of {args.email}: ",
            )
    except secret_input.SecretUnavailable as error:
        parser.error(str(error))
    if client_secret is None:
        parser.error(
            f"the client secret is missing: give --client-secret-file FILE or set {SECRET_VARIABLE} "
            "(in a terminal, it is asked for)"
        )
    if args.email is not None and password is None:
        parser.error(
            f"--email needs a password: give --password-file FILE or set {PASSWORD_VARIABLE} "
            "(in a terminal, it is asked for)"
        )
    target = Target(
        issuer=args.issuer,
        client_id=args.client_id,
        client_secret=client_secret,
        redirect_uri=args.redirect_uri,
        code=args.code,
        email=args.email,
        password=password,
        timeout=args.timeout,
        allow_hosts=tuple(args.allow_host),
        delegation_scope=args.delegation_scope,
        brand_api=args.brand_api,
    )
    return target, args.json


def render_lines(results: Sequence[CheckResult]) -> str:
    width = max(len(result.id) for result in results)
    return "\n".join(f"{result.id.ljust(width)}  {result.status}  {result.reason}" for result in results)


def render_json(results: Sequence[CheckResult]) -> str:
    document = {
        "passed": all(result.status != FAIL for result in results),
        "checks": [{"id": r.id, "status": r.status, "reason": r.reason} for r in results],
    }
    return json.dumps(document, indent=2)


def main(argv: Sequence[str] | None = None) -> int:
    target, as_json = parse_target(argv)
    results = run_checks(target)
    print(render_json(results) if as_json else render_lines(results))
    sys.stdout.flush()
    return 1 if any(result.status == FAIL for result in results) else 0
