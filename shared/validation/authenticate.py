"""LivePerson's whole validation of one authentication, step by step, each step recorded.

Code flow: exchange the code at the brand's token endpoint, then validate the id_token.
Implicit flow: decrypt the JWE when one is configured, then validate the id_token.
Either way: RS256 signature with the brand's key, `iss`, `iat`/`exp`, `sub`, `lp_sdes`, and
optionally userinfo. The `Exchange` returned says what was sent, what came back, and which
checks passed, whatever the outcome.

Consumer Delegation (LivePerson's "Consumer Delegation" pages) adds two exchanges with the same
client: the refresh of a delegated access token, and the code exchange of the verification link
of an unauthenticated conversation, which proves no identity, so only the access token counts.
The tokens granted come back beside the `Exchange` as a `Grant`, never inside it: exchanges are
records, kept and shown.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from shared.validation import id_token, sdes
from shared.validation.brand_keys import JwksKeys, KeySource, PastedPublicKey
from shared.validation.discovery import BrandEndpoints, discover, host_of
from shared.validation.errors import FAILED_TO_DECRYPT, INPUT_VALIDATION, ValidationFailure
from shared.validation.jwe import EncryptionKeyPair, is_jwe
from shared.validation.masking import masked
from shared.validation.token_exchange import AUTH_METHODS, Grant, HttpRecord, exchange_code, refresh
from shared.validation.userinfo import fetch_userinfo


@dataclass(frozen=True)
class Settings:
    """What a brand configures in LivePerson's console, and the stand-in's own knobs."""

    issuer: str
    client_id: str = ""
    client_secret: str = field(default="", repr=False)  # never in a log or a traceback
    auth_method: str = "basic"  # client_secret_basic; "post" for client_secret_post
    public_key: str | None = None  # pasted one-line SPKI; None means: use the JWKS
    pkce: bool = False
    jwe: bool = False
    skew: int = 30  # seconds of clock difference tolerated on iat/exp
    timeout: float = 5.0  # LivePerson gives up on a slow brand (9013)
    userinfo: bool = False
    token_endpoint: str | None = None  # default: from discovery
    jwks_uri: str | None = None  # default: from discovery
    authorization_endpoint: str | None = None  # default: from discovery (the pop-out window's)
    userinfo_endpoint: str | None = None  # default: from discovery
    allow_hosts: tuple[str, ...] = ()  # hosts besides the issuer's that discovery may point to

    def __post_init__(self) -> None:
        if self.auth_method not in AUTH_METHODS:
            raise ValueError(f"auth method must be one of {', '.join(AUTH_METHODS)}")


@dataclass
class Check:
    id: str
    status: str  # "pass" or "fail"
    reason: str


@dataclass
class Exchange:
    """One authentication attempt as the inspector shows it."""

    id: int
    flow: str
    channel: str
    at: float = field(default_factory=time.time)
    received: dict[str, Any] = field(default_factory=dict)  # what the SDK handed in, masked
    http: list[HttpRecord] = field(default_factory=list)
    token_header: dict[str, Any] | None = None
    claims: dict[str, Any] | None = None
    checks: list[Check] = field(default_factory=list)
    result: dict[str, Any] | None = None
    failure: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.result is not None

    def succeed(self, claims: dict[str, Any], attributes: dict[str, Any]) -> None:
        self.result = {
            "sub": claims["sub"],
            "claims": claims,
            "sdes": attributes,
            "flow": self.flow,
            "expires_at": claims["exp"],
        }

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @contextmanager
    def step(self, check: str, passed: str = "") -> Iterator[Check]:
        """Run one check: recorded as passed with `passed`, or with the reason the block sets on
        the Check it is given once it knows what it found; or failed with LivePerson's reason."""
        outcome = Check(check, "pass", passed)
        try:
            yield outcome
        except ValidationFailure as failure:
            self.checks.append(Check(failure.check, "fail", failure.message))
            if failure.record is not None:
                self.http.append(failure.record)
            self.failure = failure.as_dict()
            raise
        self.checks.append(outcome)


class Authenticator:
    """LivePerson's side for one account. Discovery and the brand's keys are fetched once."""

    def __init__(self, settings: Settings, encryption: EncryptionKeyPair | None = None) -> None:
        self.settings = settings
        self.encryption = encryption
        self._endpoints: BrandEndpoints | None = None
        self._keys: KeySource | None = None
        self._ids = itertools.count(1)

    def with_code(
        self, code: str, redirect_uri: str, code_verifier: str | None = None, channel: str = "web"
    ) -> tuple[Exchange, Grant | None]:
        """The exchange, and what the brand granted when the customer is authenticated."""
        exchange = Exchange(next(self._ids), "code", channel)
        exchange.received = masked(
            {"authCode": code, "redirect_uri": redirect_uri, "code_verifier": code_verifier}
        )
        try:
            if self.settings.pkce:
                with exchange.step("pkce", "A code_verifier accompanies the code (PKCE is on)."):
                    if not code_verifier:
                        raise ValidationFailure(
                            "pkce", INPUT_VALIDATION, "PKCE is on, but no code_verifier came with the code."
                        )
            endpoints = self._discover(exchange)
            with exchange.step(
                "token-exchange", f"{endpoints.token_endpoint} exchanged the code for an id_token."
            ):
                body, record = exchange_code(
                    endpoints.token_endpoint,
                    code=code,
                    redirect_uri=redirect_uri,
                    code_verifier=code_verifier if self.settings.pkce else None,
                    client_id=self.settings.client_id,
                    client_secret=self.settings.client_secret,
                    auth_method=self.settings.auth_method,
                    timeout=self.settings.timeout,
                )
                exchange.http.append(record)
            claims, attributes = self._validate(exchange, body["id_token"])
            if self.settings.userinfo:
                self._userinfo(exchange, body.get("access_token"), claims["sub"])
        except ValidationFailure:
            return exchange, None
        exchange.succeed(claims, attributes)
        return exchange, Grant.of(body)

    def with_delegation_code(
        self, code: str, redirect_uri: str, code_verifier: str
    ) -> tuple[Exchange, Grant | None]:
        """The verification link's code, exchanged with its PKCE verifier ("Consumer Delegation:
        How It Works", unauthenticated conversations); the grant, or None with the reason
        recorded."""
        exchange = Exchange(next(self._ids), "delegation", "verification")
        exchange.received = masked(
            {"code": code, "redirect_uri": redirect_uri, "code_verifier": code_verifier}
        )
        return self._granting(
            exchange,
            "token-exchange",
            lambda endpoint: exchange_code(
                endpoint,
                code=code,
                redirect_uri=redirect_uri,
                code_verifier=code_verifier,
                require="access_token",
                **self._client(),
            ),
        )

    def refresh(self, refresh_token: str) -> tuple[Exchange, Grant | None]:
        """A delegated access token renewed ("Consumer Delegation: Introduction"); the grant, or
        None with the reason recorded."""
        exchange = Exchange(next(self._ids), "refresh", "delegation")
        return self._granting(
            exchange,
            "token-refresh",
            lambda endpoint: refresh(endpoint, refresh_token=refresh_token, **self._client()),
        )

    def with_jwt(self, token: str, channel: str = "web") -> Exchange:
        exchange = Exchange(next(self._ids), "implicit", channel)
        exchange.received = masked({"jwt": token})
        try:
            claims, attributes = self._validate(exchange, token)
        except ValidationFailure:
            return exchange
        exchange.succeed(claims, attributes)
        return exchange

    def endpoints(self) -> BrandEndpoints | None:
        """The brand's endpoints, discovered on first use; None while the brand is unreachable."""
        try:
            return self._discover(Exchange(0, "discovery", "config"))
        except ValidationFailure:
            return None

    def _allowed_hosts(self) -> tuple[str, ...]:
        """--allow-host, plus the hosts of endpoints configured by hand: the user named them."""
        configured = (
            self.settings.token_endpoint,
            self.settings.jwks_uri,
            self.settings.authorization_endpoint,
            self.settings.userinfo_endpoint,
        )
        hosts = [host_of(url) for url in configured if url]
        return (*self.settings.allow_hosts, *(host for host in hosts if host))

    def _client(self) -> dict[str, Any]:
        """How the client authenticates at the token endpoint, the same for every grant."""
        settings = self.settings
        return {
            "client_id": settings.client_id,
            "client_secret": settings.client_secret,
            "auth_method": settings.auth_method,
            "timeout": settings.timeout,
        }

    def _granting(
        self,
        exchange: Exchange,
        check: str,
        request: Callable[[str], tuple[dict[str, Any], HttpRecord]],
    ) -> tuple[Exchange, Grant | None]:
        try:
            endpoints = self._discover(exchange)
            with exchange.step(check, f"{endpoints.token_endpoint} granted an access token."):
                body, record = request(endpoints.token_endpoint)
                exchange.http.append(record)
        except ValidationFailure:
            return exchange, None
        grant = Grant.of(body)
        exchange.result = {"flow": exchange.flow, "scope": grant.scope if grant else None}
        return exchange, grant

    # -- steps ---------------------------------------------------------------------------

    def _discover(self, exchange: Exchange) -> BrandEndpoints:
        if self._endpoints is None:
            if self.settings.token_endpoint:  # configured by hand: nothing to discover
                self._endpoints = BrandEndpoints(
                    issuer=self.settings.issuer,
                    token_endpoint=self.settings.token_endpoint,
                    jwks_uri=self.settings.jwks_uri,
                    authorization_endpoint=self.settings.authorization_endpoint,
                    userinfo_endpoint=self.settings.userinfo_endpoint,
                )
            else:
                with exchange.step("discovery", f"Discovery document of {self.settings.issuer} read."):
                    self._endpoints, _ = discover(
                        self.settings.issuer, self.settings.timeout, self._allowed_hosts()
                    )
        return self._endpoints

    def _key_source(self, exchange: Exchange) -> KeySource:
        if self._keys is None:
            if self.settings.public_key:
                self._keys = PastedPublicKey(self.settings.public_key)
            else:
                jwks_uri = self.settings.jwks_uri
                if not jwks_uri:
                    endpoints = self._discover(exchange)
                    jwks_uri = endpoints.jwks_uri
                    if not jwks_uri:
                        raise ValidationFailure(
                            "jwks",
                            INPUT_VALIDATION,
                            endpoints.refused.get(
                                "jwks_uri", "No public key configured and no jwks_uri discovered."
                            ),
                        )
                self._keys = JwksKeys(jwks_uri, self.settings.timeout)
        return self._keys

    def _validate(self, exchange: Exchange, token: str) -> tuple[dict[str, Any], dict[str, Any]]:
        if is_jwe(token) or self.settings.jwe:
            with exchange.step("jwe", "The JWE decrypted with LivePerson's key."):
                if not is_jwe(token):
                    raise ValidationFailure(
                        "jwe", FAILED_TO_DECRYPT, "JWE is configured, but the token is a plain JWT."
                    )
                if self.encryption is None or not self.settings.jwe:
                    raise ValidationFailure(
                        "jwe",
                        FAILED_TO_DECRYPT,
                        "The token is a JWE, but encryption is not configured for this account.",
                    )
                token = self.encryption.decrypt(token)
        with exchange.step("id-token-alg", "Signed with RS256; the signature verifies with the brand's key."):
            # The keys are looked up only once the token has been read and its alg checked: a
            # malformed token is refused for what it is, whether or not the brand answers.
            header, claims = id_token.verify_signature(token, _Deferred(lambda: self._key_source(exchange)))
        exchange.token_header, exchange.claims = header, claims
        settings = self.settings
        with exchange.step("id-token-iss", f"iss is exactly {settings.issuer!r}."):
            id_token.check_issuer(claims, settings.issuer)
        with exchange.step("id-token-times", "iat and exp are integer seconds, and exp is ahead."):
            id_token.check_times(claims, now=int(time.time()), skew=settings.skew)
        with exchange.step("id-token-sub", f"sub is {claims.get('sub')!r}: the customer id."):
            id_token.check_subject(claims)
        with exchange.step("lp-sdes") as check:
            attributes = sdes.engagement_attributes(claims)
            check.reason = sdes.found(claims)
        return claims, attributes

    def _userinfo(self, exchange: Exchange, access_token: Any, sub: str) -> None:
        endpoints = self._discover(exchange)
        with exchange.step("userinfo", "userinfo answered for the access token with the same sub."):
            if not isinstance(access_token, str):
                raise ValidationFailure(
                    "userinfo", INPUT_VALIDATION, "The token response has no access_token."
                )
            if not endpoints.userinfo_endpoint:
                raise ValidationFailure(
                    "userinfo",
                    INPUT_VALIDATION,
                    endpoints.refused.get(
                        "userinfo_endpoint", "No userinfo_endpoint in the discovery document."
                    ),
                )
            fetch_userinfo(endpoints.userinfo_endpoint, access_token, sub=sub, timeout=self.settings.timeout)


class _Deferred:
    """A KeySource resolved on the first key asked for."""

    def __init__(self, resolve: Callable[[], KeySource]) -> None:
        self._resolve = resolve

    def key_for(self, kid: str | None) -> RSAPublicKey:
        return self._resolve().key_for(kid)
