"""`python -m mobile_client [--backend-url URL] [--liveperson-url URL] [--flow code|implicit]
[--pkce] [--account ID]`. Defaults: the backend on port 8000 and the stand-in on port 8002 of 127.0.0.1 on
the desktop, of 10.0.2.2 (the host, seen from the Android emulator) on Android."""

from __future__ import annotations

import argparse
import ctypes.util
import logging
import os
import shutil
import sys
from collections.abc import Sequence

# Kivy reads its own options from sys.argv on import unless told not to; these options are the app's.
os.environ.setdefault("KIVY_NO_ARGS", "1")
# Kivy's handlers on Kivy's logger only: in its default mode they take over the root logger at DEBUG,
# so every library's debug lines (keyring probing its backends...) showed at Kivy's "info" level.
os.environ.setdefault("KIVY_LOG_MODE", "MIXED")

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


class _AbsentOnHeadlessLinux(logging.Filter):
    """Two of Kivy's start-up records that only say an optional Linux component is not installed,
    replaced by one line each, when (and only when) that is their cause: the multitouch provider
    without libmtdev (an ERROR with a traceback) and the X11 cut buffer (middle-click paste) without
    xclip or xsel (a CRITICAL, though the app has its clipboard through SDL2)."""

    def __init__(self) -> None:
        super().__init__()
        self.absent: dict[str, str] = {}
        if ctypes.util.find_library("mtdev") is None:
            self.absent["Input: MTDev is not supported"] = "Input: no libmtdev, multitouch devices unused"
        if not (shutil.which("xclip") or shutil.which("xsel")):
            self.absent["Cutbuffer: Unable to find any valuable"] = (
                "Cutbuffer: no xclip or xsel, middle-click paste disabled")

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        for start, replacement in self.absent.items():
            if message.startswith(start):
                record.msg, record.args, record.exc_info, record.exc_text = replacement, (), None, None
                record.levelno, record.levelname = logging.INFO, "INFO"
                return True
        return True


def _configure_kivy() -> None:
    """Before Kivy loads its providers (the window, the input devices, the clipboard)."""
    if sys.platform.startswith("linux"):
        from kivy.logger import Logger

        Logger.addFilter(_AbsentOnHeadlessLinux())


def main(argv: Sequence[str] | None = None) -> None:
    args = parse(argv)
    _configure_kivy()
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
