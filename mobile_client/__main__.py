"""`python -m mobile_client [--backend-url URL] [--liveperson-url URL] [--flow code|implicit]
[--pkce] [--account ID]`. Defaults: the backend on port 8000 and the stand-in on port 8002 of 127.0.0.1 on
the desktop, of 10.0.2.2 (the host, seen from the Android emulator) on Android."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence

# Kivy reads its own options from sys.argv on import unless told not to; these options are the app's.
os.environ.setdefault("KIVY_NO_ARGS", "1")

from mobile_client.config import ACCOUNT, FLOWS, default_backend_url, default_liveperson_url


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m mobile_client", description=__doc__)
    parser.add_argument("--backend-url", default=default_backend_url(), help="the brand's backend")
    parser.add_argument(
        "--liveperson-url", default=default_liveperson_url(), help="LivePerson (the stand-in)"
    )
    parser.add_argument(
        "--flow", choices=FLOWS, default="code", help="how the app authenticates the customer"
    )
    parser.add_argument("--pkce", action="store_true", help="code flow with PKCE (RFC 7636)")
    parser.add_argument("--account", default=ACCOUNT, help="the LivePerson account")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse(argv)
    from mobile_client.app import BrandApp  # Kivy opens its window on import: parse arguments first

    BrandApp(
        backend_url=args.backend_url,
        liveperson_url=args.liveperson_url,
        flow=args.flow,
        account=args.account,
        pkce=args.pkce,
    ).run()


if __name__ == "__main__":
    main()
