"""The web client's settings: command-line options, each also read from a `WEB_CLIENT_*` variable."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, fields
from typing import Any

from shared import contract

FLOWS = ("code", "implicit")


@dataclass(frozen=True)
class Settings:
    backend_url: str  # the brand's auth server, called from the browser with the login cookie
    issuer: str | None = None  # the identity function's `iss`; default: the backend URL
    liveperson_url: str = "http://127.0.0.1:8002"  # the local stand-in, used when no account is set
    liveperson_account: str | None = None  # a real LivePerson account id: load the real tag instead
    liveperson_section: str = "authenticated"
    # Empty: ask the stand-in which flow its account uses; a real account's flow must be set here.
    flow: str | None = None
    js_method: str = contract.JS_METHOD
    js_context: str | None = None
    # What the codes for LivePerson ask the backend for: with an API scope, and once the customer
    # has allowed it, LivePerson's bots may call the brand's API for them (Consumer Delegation).
    code_scope: str = "openid profile email orders.read"

    def tag_url(self) -> str | None:
        """LivePerson's tag for a real account; None for the stand-in, whose account the page
        asks the stand-in for before it loads the stand-in's tag (liveperson-tag.js)."""
        return f"{contract.TAG_URL}?site={self.liveperson_account}" if self.liveperson_account else None

    def page_config(self) -> dict[str, str | None]:
        """What the browser's scripts read (rendered into every page as JSON)."""
        return {
            "backendUrl": self.backend_url.rstrip("/"),
            # Compared exactly by LivePerson, so it is not normalised.
            "issuer": self.issuer or self.backend_url.rstrip("/"),
            "livepersonUrl": None if self.liveperson_account else self.liveperson_url.rstrip("/"),
            "site": self.liveperson_account,
            "section": self.liveperson_section,
            "tagUrl": self.tag_url(),
            "flow": self.flow,
            "jsMethod": self.js_method,
            "jsContext": self.js_context,
            "codeScope": self.code_scope,
        }


# Each default is stated once, in the dataclass; an option's default is its field's.
_DEFAULTS: dict[str, Any] = {field.name: field.default for field in fields(Settings)}


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"WEB_CLIENT_{name}", default) or default


def _default(name: str) -> Any:
    return _env(name.upper(), _DEFAULTS[name])


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m web_client",
                                description="The brand's website, embedding the LivePerson Web SDK.")
    p.add_argument("--host", default=_env("HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(_env("PORT", "8001") or 8001))
    p.add_argument("--backend-url", default=_env("BACKEND_URL", "http://127.0.0.1:8000"),
                   help="the brand backend (its BACKEND_CORS_ORIGINS must list this site's origin)")
    p.add_argument("--issuer", default=_default("issuer"),
                   help="the backend's issuer, exactly as configured in LivePerson (default: --backend-url)")
    p.add_argument("--liveperson-url", default=_default("liveperson_url"),
                   help="the LivePerson stand-in, whose tag is loaded when no account is given")
    p.add_argument("--liveperson-account", default=_default("liveperson_account"),
                   help="a real LivePerson account id: load LivePerson's own tag")
    p.add_argument("--liveperson-section", default=_default("liveperson_section"))
    p.add_argument("--flow", choices=FLOWS, default=_default("flow"),
                   help="code or implicit (default: what the stand-in's account uses)")
    p.add_argument("--js-method", default=_default("js_method"),
                   help="the authentication method's name, as configured in LivePerson")
    p.add_argument("--js-context", default=_default("js_context"),
                   help="the object holding the method, dotted (e.g. brand.auth); default: window")
    p.add_argument("--code-scope", default=_default("code_scope"),
                   help="the scope of the codes for LivePerson; an API scope the customer allowed "
                   "lets LivePerson's bots act for them (Consumer Delegation)")
    return p


def from_arguments(argv: list[str] | None = None) -> tuple[argparse.Namespace, Settings]:
    p = parser()
    args = p.parse_args(argv)
    if args.liveperson_account and not args.flow:
        p.error("--flow is required with --liveperson-account: only the stand-in can be asked for it")
    return args, Settings(
        backend_url=args.backend_url,
        issuer=args.issuer,
        liveperson_url=args.liveperson_url,
        liveperson_account=args.liveperson_account,
        liveperson_section=args.liveperson_section,
        flow=args.flow,
        js_method=args.js_method,
        js_context=args.js_context,
        code_scope=args.code_scope,
    )
