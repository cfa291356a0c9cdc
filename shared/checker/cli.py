"""`liveperson-check ISSUER_URL --client-id ID --client-secret S [--redirect-uri URI]
(--code=CODE | --email E --password P) [--json] [--timeout SECONDS]`

Prints one line per check (`check-id  PASS|WARN|FAIL  reason`), or with `--json` the document
`{"passed": bool, "checks": [{"id", "status", "reason"}]}`. Exit status 1 when a check fails,
0 otherwise, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from shared.checker.checks import (
    CHECK_IDS,
    DEFAULT_REDIRECT_URI,
    DEFAULT_TIMEOUT,
    FAIL,
    CheckResult,
    Target,
    run_checks,
)


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
    parser.add_argument("--client-secret", required=True, help="its client secret")
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
    parser.add_argument("--password", help="the password for --email")
    parser.add_argument("--json", action="store_true", help="print a JSON document instead of lines")
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"timeout of each HTTP request (default {DEFAULT_TIMEOUT:g})",
    )
    return parser


def parse_target(argv: Sequence[str] | None = None) -> tuple[Target, bool]:
    """The target and whether JSON was asked for; exits with status 2 on a usage error."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.email is not None and args.password is None:
        parser.error("--email needs --password")
    if args.code is not None and not args.code.strip():
        parser.error("--code is empty")
    if args.code is not None and args.password is not None:
        parser.error("--password goes with --email, not with --code")
    if not args.timeout > 0:
        parser.error("--timeout must be a positive number of seconds")
    target = Target(
        issuer=args.issuer,
        client_id=args.client_id,
        client_secret=args.client_secret,
        redirect_uri=args.redirect_uri,
        code=args.code,
        email=args.email,
        password=args.password,
        timeout=args.timeout,
    )
    return target, args.json


def render_lines(results: Sequence[CheckResult]) -> str:
    width = max(len(check_id) for check_id in CHECK_IDS)
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
