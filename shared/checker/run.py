"""One run of the checker: the backend it checks, and what earlier checks learnt for later ones.

The discovery endpoints, the keys, the token response and the id_token's header and claims are
read once and kept here. A check that needs one of them asks through a `need_*` method, which
reports the check as "not checked" (WARN) when the earlier check failed, so that only the root
cause shows as FAIL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from shared import contract
from shared.checker.app_client import BackendApp
from shared.checker.reasons import WARN, NotRun
from shared.validation.brand_keys import JwksKeys
from shared.validation.discovery import BrandEndpoints
from shared.validation.errors import ValidationFailure

NEEDS_FRESH_CODE = "skipped: needs a fresh code; use --email/--password"
DEFAULT_REDIRECT_URI = contract.DEFAULT_REDIRECT_URI
DEFAULT_TIMEOUT = 10.0


@dataclass(frozen=True)
class Target:
    """The brand backend to check, and how to get codes from it."""

    issuer: str
    client_id: str
    client_secret: str = field(repr=False)  # never in a log or a traceback
    redirect_uri: str = DEFAULT_REDIRECT_URI
    code: str | None = None  # one code obtained by hand
    email: str | None = None  # a login for this project's app API, to obtain codes
    password: str | None = field(default=None, repr=False)
    timeout: float = DEFAULT_TIMEOUT
    allow_hosts: tuple[str, ...] = ()  # hosts besides the issuer's that discovery may point to
    # Consumer Delegation, checked only when a delegated scope is named: the scope asked for with
    # a fresh code, and the brand API its access token must open (GET, Bearer).
    delegation_scope: str | None = None
    brand_api: str | None = None


class Run:
    """What the checks of one run share."""

    def __init__(self, target: Target) -> None:
        self.target = target
        # Without a login there is only the code obtained by hand: checks needing more are skipped.
        self.app = (
            BackendApp(target.issuer, target.email, target.password, target.timeout)
            if target.email is not None and target.password is not None
            else None
        )
        self.endpoints: BrandEndpoints | None = None
        self.document: dict[str, Any] = {}
        self.keys: JwksKeys | None = None
        self.kids: list[str] = []
        self.tokens: dict[str, Any] | None = None  # the token-exchange response
        self.first_code: str | None = None
        self.header: dict[str, Any] | None = None
        self.claims: dict[str, Any] | None = None
        self.unreadable: ValidationFailure | None = None  # why the id_token could not be parsed
        self.success_headers: Mapping[str, str] | None = None  # of a successful token response
        self.delegation: Delegation | None = None  # what delegation-refresh obtained

    def need_endpoints(self) -> BrandEndpoints:
        if self.endpoints is None:
            raise NotRun(WARN, "not checked: discovery failed (see discovery).")
        return self.endpoints

    def need_keys(self) -> JwksKeys:
        if self.keys is None:
            raise NotRun(WARN, "not checked: the brand's keys could not be read (see jwks).")
        return self.keys

    def need_tokens(self) -> dict[str, Any]:
        if self.tokens is None:
            raise NotRun(WARN, "not checked: the token exchange gave no id_token (see token-exchange).")
        return self.tokens

    def need_id_token(self) -> str:
        return self.need_tokens()["id_token"]

    def need_header(self) -> dict[str, Any]:
        self.need_claims()
        assert self.header is not None
        return self.header

    def need_claims(self) -> dict[str, Any]:
        self.need_tokens()
        if self.claims is None:
            raise NotRun(WARN, "not checked: the id_token could not be read (see id-token-alg).")
        return self.claims

    def need_app(self) -> BackendApp:
        if self.app is None:
            raise NotRun(WARN, NEEDS_FRESH_CODE)
        return self.app

    def need_delegation(self) -> Delegation:
        if self.delegation is None:
            raise NotRun(WARN, "not checked: no delegated tokens were obtained (see delegation-refresh).")
        return self.delegation

    def fresh_code(self, *, pkce_challenge: str | None = None, scope: str | None = None) -> str:
        """A new code for the configured redirect_uri (see `BackendApp.fresh_code`)."""
        return self.need_app().fresh_code(
            self.target.redirect_uri, pkce_challenge=pkce_challenge, scope=scope
        )


@dataclass
class Delegation:
    """The refresh tokens of one delegated grant, in the order they were issued, and the access
    token of the latest refresh."""

    refresh_tokens: list[str]
    access_token: str
