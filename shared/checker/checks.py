"""The checks `liveperson-check` runs against a brand backend, in the order it reports them.

Each check is one rule LivePerson (or the OAuth 2.0 / OpenID Connect specification it relies on)
applies to the brand; the rules themselves live in `shared.validation` and are reused here, so
the checker fails exactly where the LivePerson stand-in would. Checks that redeem a code of
their own need fresh codes, which the checker obtains from this project's app API
(`POST /api/session`, `POST /api/liveperson/code`) when given a login; with a single hand-made
code they are reported as skipped (WARN).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from shared import contract, pkce
from shared.checker.printable import printable
from shared.validation import id_token, sdes
from shared.validation.brand_keys import JwksKeys
from shared.validation.discovery import BrandEndpoints, discover
from shared.validation.errors import JWT_NOT_VALID, ValidationFailure
from shared.validation.safe_json import DOCUMENT_LIMIT, JsonRejected, loads
from shared.validation.token_exchange import HttpRecord, exchange_code, request_tokens
from shared.validation.userinfo import fetch_userinfo

CHECK_IDS = (
    "discovery",
    "jwks",
    "token-exchange",
    "client-auth-basic",
    "client-auth-post",
    "id-token-alg",
    "id-token-kid",
    "id-token-iss",
    "id-token-times",
    "id-token-sub",
    "lp-sdes",
    "userinfo",
    "code-reuse",
    "redirect-uri-mismatch",
    "wrong-secret",
    "pkce",
    "no-store",
)
PASS, WARN, FAIL = "PASS", "WARN", "FAIL"
NEEDS_FRESH_CODE = "skipped: needs a fresh code; use --email/--password"
DEFAULT_REDIRECT_URI = contract.DEFAULT_REDIRECT_URI
DEFAULT_TIMEOUT = 10.0
SKEW = 30  # seconds of clock difference tolerated on iat/exp, as the stand-in does
_MAX_REASON = 500  # characters; a brand's HTML error page is cut short

# OpenID Connect Discovery 1.0 §3: REQUIRED provider metadata (issuer and token_endpoint are
# enforced by `discover` itself).
_REQUIRED_METADATA = (
    "authorization_endpoint",
    "jwks_uri",
    "response_types_supported",
    "subject_types_supported",
    "id_token_signing_alg_values_supported",
)


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

    @property
    def fresh_codes(self) -> bool:
        return self.email is not None and self.password is not None


@dataclass(frozen=True)
class CheckResult:
    id: str
    status: str  # PASS, WARN or FAIL
    reason: str


def run_checks(target: Target) -> list[CheckResult]:
    """Every check of CHECK_IDS against `target`, in that order. Never raises for the brand's faults."""
    return _Run(target).run()


class _NotRun(Exception):
    """A check that cannot run (a prerequisite failed, or it needs a fresh code)."""

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class _CodeRefused(_NotRun):
    """The backend's code endpoint refused the request."""


class _OneKey:
    """A KeySource of exactly one key: to ask which JWKS key, if any, verifies a token."""

    def __init__(self, key: RSAPublicKey) -> None:
        self._key = key

    def key_for(self, kid: str | None) -> RSAPublicKey:
        return self._key


class _Run:
    """One run of the checker: what earlier checks learnt is kept for the later ones."""

    def __init__(self, target: Target) -> None:
        self.target = target
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
        self._session: str | None = None
        self._login_failure: _NotRun | None = None

    def run(self) -> list[CheckResult]:
        # Execution order: userinfo before code-reuse, since a reused code may revoke its tokens.
        steps: list[tuple[str, Callable[[], tuple[str, str]]]] = [
            ("discovery", self.discovery),
            ("jwks", self.jwks),
            ("token-exchange", self.token_exchange),
            ("id-token-alg", self.id_token_alg),
            ("id-token-kid", self.id_token_kid),
            ("id-token-iss", self.id_token_iss),
            ("id-token-times", self.id_token_times),
            ("id-token-sub", self.id_token_sub),
            ("lp-sdes", self.lp_sdes),
            ("userinfo", self.userinfo),
            ("code-reuse", self.code_reuse),
            ("client-auth-basic", self.client_auth_basic),
            ("client-auth-post", self.client_auth_post),
            ("redirect-uri-mismatch", self.redirect_uri_mismatch),
            ("wrong-secret", self.wrong_secret),
            ("pkce", self.pkce),
            ("no-store", self.no_store),
        ]
        results = {check_id: _outcome(check_id, step) for check_id, step in steps}
        return [results[check_id] for check_id in CHECK_IDS]

    # -- the checks, each returning (status, reason) -------------------------------------------

    def discovery(self) -> tuple[str, str]:
        """OpenID Connect Discovery 1.0 §4: the document at ISSUER/.well-known/openid-configuration,
        its `issuer` identical to ISSUER (§4.3), with the REQUIRED metadata of §3."""
        self.endpoints, self.document = discover(
            self.target.issuer, self.target.timeout, self.target.allow_hosts
        )
        missing = [name for name in _REQUIRED_METADATA if name not in self.document]
        if missing:
            return WARN, (
                f"The discovery document lacks the REQUIRED metadata {', '.join(missing)} "
                "(OpenID Connect Discovery §3)."
            )
        algorithms = self.document.get("id_token_signing_alg_values_supported")
        if not isinstance(algorithms, list) or "RS256" not in algorithms:
            return WARN, (
                "id_token_signing_alg_values_supported does not list RS256, the only algorithm "
                "LivePerson accepts."
            )
        return PASS, (
            f"Discovery document read; issuer is exactly {self.target.issuer!r}; "
            f"token endpoint {self.endpoints.token_endpoint}."
        )

    def jwks(self) -> tuple[str, str]:
        """RFC 7517 §5: a JWK Set of valid RSA keys; kids distinct (§4.5) so that the token's kid
        selects exactly one key (OpenID Connect Core §10.1)."""
        endpoints = self._need_endpoints()
        if "jwks_uri" in endpoints.refused:
            return FAIL, endpoints.refused["jwks_uri"]
        if not endpoints.jwks_uri:
            return FAIL, "The discovery document has no jwks_uri: LivePerson cannot fetch the brand's keys."
        keys = JwksKeys(endpoints.jwks_uri, self.target.timeout)
        published = keys.fetch()
        kids = [key["kid"] for key in published if isinstance(key.get("kid"), str)]
        duplicates = sorted({kid for kid in kids if kids.count(kid) > 1})
        if duplicates:
            return FAIL, (
                f"The JWKS publishes kid {', '.join(map(repr, duplicates))} more than once; kids must be "
                "distinct, or LivePerson may verify the token with the wrong key."
            )
        for kid in kids:
            keys.key_for(kid)  # a key that is not a valid RSA key fails here
        if not kids:
            keys.key_for(None)
        self.keys, self.kids = keys, kids
        unnamed = len(published) - len(kids)
        if unnamed and len(published) > 1:
            return WARN, (
                f"{unnamed} of the {len(published)} RSA keys in the JWKS have no kid; with several keys "
                "LivePerson selects by kid, so those keys can never verify a token."
            )
        named = f"kid{'s' if len(kids) > 1 else ''} {', '.join(map(repr, kids))}" if kids else "no kid"
        return PASS, f"{endpoints.jwks_uri} publishes {len(published)} RSA key(s), {named}."

    def token_exchange(self) -> tuple[str, str]:
        """RFC 6749 §4.1.3, OpenID Connect Core §3.1.3.3: the code, POSTed form-encoded with
        client_secret_basic, is answered 200 JSON with an id_token."""
        endpoint = self._need_endpoints().token_endpoint
        code = self.target.code if self.target.code is not None else self._fresh_code()
        body, record = self._exchange(code)
        self.tokens, self.first_code, self.success_headers = body, code, record.response_headers
        try:
            self.header, self.claims = id_token.parse(body["id_token"])
        except ValidationFailure as failure:
            self.unreadable = failure
        return PASS, f"{endpoint} exchanged the code (client_secret_basic) for an id_token."

    def client_auth_basic(self) -> tuple[str, str]:
        """RFC 6749 §2.3.1: client_secret_basic, the client id and secret in HTTP Basic."""
        return self._client_auth("basic", "in HTTP Basic (client_secret_basic)")

    def client_auth_post(self) -> tuple[str, str]:
        """RFC 6749 §2.3.1: client_secret_post, the client id and secret in the form body."""
        return self._client_auth("post", "in the form body (client_secret_post)")

    def id_token_alg(self) -> tuple[str, str]:
        """OpenID Connect Core §3.1.3.7 step 6-7, RFC 7518 §3.3: signed RS256 with the brand's key;
        `none` and HS256 refused whatever the header says (RFC 8725 §3.1)."""
        token = self._need_id_token()
        if self.unreadable is not None:
            raise self.unreadable
        keys = self._need_keys()
        try:
            header, _ = id_token.verify_signature(token, keys)
        except ValidationFailure as failure:
            if failure.check != "id-token-kid":
                raise
            # The key cannot be selected by kid (id-token-kid says why): the algorithm and the
            # signature are still worth checking against every published key.
            verifying = self._verifying_kid(token)
            if verifying is None:
                raise ValidationFailure(
                    "id-token-alg",
                    JWT_NOT_VALID,
                    "The token is RS256, but its signature verifies with none of the keys in the JWKS "
                    "(key mismatch).",
                ) from None
            return PASS, (
                f"Signed with RS256; the signature verifies with JWKS key {verifying!r} "
                "(but LivePerson cannot select it: see id-token-kid)."
            )
        return PASS, f"Signed with RS256; the signature verifies with JWKS key {header.get('kid')!r}."

    def id_token_kid(self) -> tuple[str, str]:
        """OpenID Connect Core §10.1: the JWS `kid` names a key of the JWKS, and is REQUIRED when
        the JWKS holds several keys (LivePerson: "JWK kid was not found",
        "multiple JWK without kid header")."""
        header = self._need_header()
        keys = self._need_keys()
        kid = header.get("kid")  # a string or absent: a token with another kid is unreadable
        keys.key_for(kid)
        if kid is None:
            return WARN, (
                "The token has no kid header; LivePerson accepts that only while the JWKS holds a single "
                "key, so the next key rotation will break authentication. Set kid."
            )
        return PASS, f"The token's kid {kid!r} is in the JWKS."

    def id_token_iss(self) -> tuple[str, str]:
        """OpenID Connect Core §3.1.3.7 step 2: `iss` exactly the issuer LivePerson is configured with."""
        claims = self._need_claims()
        id_token.check_issuer(claims, self.target.issuer)
        return PASS, f"iss is exactly {self.target.issuer!r}."

    def id_token_times(self) -> tuple[str, str]:
        """RFC 7519 §2 NumericDate, OpenID Connect Core §2: `iat` and `exp` integer seconds (not
        milliseconds, not strings), `exp` in the future (§3.1.3.7 step 9)."""
        claims = self._need_claims()
        now = int(time.time())
        id_token.check_times(claims, now=now, skew=SKEW)
        return PASS, (
            f"iat {claims['iat']} and exp {claims['exp']} are integer seconds; "
            f"exp is {claims['exp'] - now} s ahead."
        )

    def id_token_sub(self) -> tuple[str, str]:
        """OpenID Connect Core §2: `sub` present; LivePerson makes it the customer id."""
        claims = self._need_claims()
        id_token.check_subject(claims)
        return PASS, f"sub is {claims['sub']!r}, LivePerson's customer id."

    def lp_sdes(self) -> tuple[str, str]:
        """LivePerson's authenticated engagement attributes: `lp_sdes` absent, or an array of
        ctmrinfo/personal SDE objects (an object is wrong)."""
        claims = self._need_claims()
        if "lp_sdes" not in claims:
            return PASS, "lp_sdes is absent: no engagement attributes beyond the standard claims."
        parsed = sdes.parse_sdes(claims["lp_sdes"])
        kinds = ", ".join(sde["type"] for sde in parsed) or "empty"
        return PASS, f"lp_sdes is an array of {len(parsed)} SDE(s) ({kinds})."

    def userinfo(self) -> tuple[str, str]:
        """OpenID Connect Core §5.3: userinfo answers the access token (Bearer, RFC 6750 §2.1) with
        the id_token's `sub` (§5.3.2)."""
        endpoints = self._need_endpoints()
        if "userinfo_endpoint" in endpoints.refused:
            return FAIL, endpoints.refused["userinfo_endpoint"]
        if not endpoints.userinfo_endpoint:
            return WARN, (
                "The discovery document has no userinfo_endpoint; LivePerson does not need one, but "
                "cannot call userinfo with the access token."
            )
        tokens = self._need_tokens()
        access_token = tokens.get("access_token")
        if not isinstance(access_token, str):
            return FAIL, "The token response has no access_token, so userinfo cannot be called."
        sub = self._need_claims().get("sub")
        if not isinstance(sub, str):
            raise _NotRun(WARN, "not checked: the id_token has no sub to compare (see id-token-sub).")
        fetch_userinfo(endpoints.userinfo_endpoint, access_token, sub=sub, timeout=self.target.timeout)
        return PASS, f"{endpoints.userinfo_endpoint} answered the access token with the same sub."

    def code_reuse(self) -> tuple[str, str]:
        """RFC 6749 §4.1.2 and §10.5: a code is single use; a second redemption is refused with
        400 invalid_grant (§5.2; OpenID conformance module oidcc-codereuse)."""
        self._need_endpoints()
        if self.first_code is None:
            raise _NotRun(WARN, "not checked: the first redemption failed (see token-exchange).")
        response = self._redeem(self.first_code)
        return _refusal(
            response,
            400,
            "invalid_grant",
            accepted="The brand accepted the same code a second time; a code must be single use, or a "
            "replayed code logs the attacker in (RFC 6749 §4.1.2, §10.5).",
            refused="A second redemption of the same code is refused",
        )

    def redirect_uri_mismatch(self) -> tuple[str, str]:
        """RFC 6749 §4.1.3: redirect_uri at the token endpoint identical to the one the code was
        issued for, or the code is refused (invalid_grant)."""
        self._need_endpoints()
        code = self._fresh_code()
        other = self.target.redirect_uri.rstrip("/") + "/liveperson-check-mismatch"
        response = self._redeem(code, redirect_uri=other)
        return _refusal(
            response,
            400,
            "invalid_grant",
            accepted=f"A code issued for redirect_uri {self.target.redirect_uri!r} was exchanged with "
            f"redirect_uri {other!r}; the two must be identical (RFC 6749 §4.1.3).",
            refused="A code redeemed with another redirect_uri is refused",
        )

    def wrong_secret(self) -> tuple[str, str]:
        """RFC 6749 §3.2.1 and §5.2: the token endpoint authenticates the client; a wrong secret
        is answered 401 invalid_client."""
        self._need_endpoints()
        code = self._fresh_code()
        response = self._redeem(code, client_secret="liveperson-check-" + secrets.token_urlsafe(16))
        return _refusal(
            response,
            401,
            "invalid_client",
            accepted="The brand exchanged a code for a client that sent a wrong client secret; the token "
            "endpoint must authenticate the client (RFC 6749 §3.2.1).",
            refused="A wrong client secret is refused",
        )

    def pkce(self) -> tuple[str, str]:
        """RFC 7636 §4.6: a code bound to an S256 code_challenge is refused without its
        code_verifier and exchanged with it; S256 advertised (RFC 8414 §2)."""
        self._need_endpoints()  # discovery first: without it, this check is "not checked"
        if not self.target.fresh_codes:
            raise _NotRun(WARN, NEEDS_FRESH_CODE)
        methods = self.document.get("code_challenge_methods_supported")
        if not isinstance(methods, list) or "S256" not in methods:
            return WARN, (
                "The discovery document does not list S256 in code_challenge_methods_supported: "
                "LivePerson's PKCE option cannot be used with this backend."
            )
        try:
            code = self._fresh_code(pkce_challenge=pkce.new_pair()[1])
        except _CodeRefused as refused:
            return WARN, f"The code endpoint does not take a code_challenge: {refused.reason}"
        without = self._redeem(code)
        if without.status_code < 300 or without.status_code >= 500:
            return FAIL, (
                f"A code issued for an S256 code_challenge was answered HTTP {without.status_code} when "
                "redeemed without code_verifier; it must be refused (RFC 7636 §4.6), or PKCE protects "
                "nothing."
            )
        verifier, challenge = pkce.new_pair()
        code = self._fresh_code(pkce_challenge=challenge)
        try:
            self._exchange(code, code_verifier=verifier)
        except ValidationFailure as failure:
            raise ValidationFailure(
                "pkce", failure.error, f"The matching code_verifier was refused: {failure.message}"
            ) from None
        return PASS, (
            f"A code bound to an S256 challenge is refused without code_verifier "
            f"(HTTP {without.status_code} {_error_code(without)}) and exchanged with it."
        )

    def no_store(self) -> tuple[str, str]:
        """RFC 6749 §5.1 and §5.2: `Cache-Control: no-store` on the token response and on its errors."""
        self._need_endpoints()
        error = self._redeem("liveperson-check-unknown-" + secrets.token_urlsafe(16))
        missing = []
        if self.success_headers is not None and not _has_no_store(self.success_headers):
            found = _cache_control(self.success_headers)
            missing.append(f"a successful token response (Cache-Control: {found})")
        if not _has_no_store(error.headers):
            missing.append(
                f"the error response to an unknown code (HTTP {error.status_code}, "
                f"Cache-Control: {_cache_control(error.headers)})"
            )
        if missing:
            return FAIL, (
                f"Cache-Control: no-store is missing on {' and on '.join(missing)}; a token response must "
                "never be cached (RFC 6749 §5.1, §5.2)."
            )
        if self.success_headers is None:
            return (
                WARN,
                "An error response has Cache-Control: no-store; no successful token response to check.",
            )
        return PASS, "Cache-Control: no-store on the token response and on an error response."

    # -- prerequisites -------------------------------------------------------------------------

    def _need_endpoints(self) -> BrandEndpoints:
        if self.endpoints is None:
            raise _NotRun(WARN, "not checked: discovery failed (see discovery).")
        return self.endpoints

    def _need_keys(self) -> JwksKeys:
        if self.keys is None:
            raise _NotRun(WARN, "not checked: the brand's keys could not be read (see jwks).")
        return self.keys

    def _need_tokens(self) -> dict[str, Any]:
        if self.tokens is None:
            raise _NotRun(WARN, "not checked: the token exchange gave no id_token (see token-exchange).")
        return self.tokens

    def _need_id_token(self) -> str:
        return self._need_tokens()["id_token"]

    def _need_header(self) -> dict[str, Any]:
        self._need_claims()
        assert self.header is not None
        return self.header

    def _need_claims(self) -> dict[str, Any]:
        self._need_tokens()
        if self.claims is None:
            raise _NotRun(WARN, "not checked: the id_token could not be read (see id-token-alg).")
        return self.claims

    # -- talking to the brand ------------------------------------------------------------------

    def _client_auth(self, method: str, where: str) -> tuple[str, str]:
        self._need_endpoints()  # discovery first: without it, this check is "not checked"
        code = self._fresh_code()
        try:
            _, record = self._exchange(code, auth_method=method)
        except ValidationFailure as failure:
            raise ValidationFailure(
                f"client-auth-{method}",
                failure.error,
                f"With the client credentials {where}: {failure.message} LivePerson may send either form; "
                "accept both (RFC 6749 §2.3.1).",
            ) from None
        if self.success_headers is None:
            self.success_headers = record.response_headers
        return PASS, f"A fresh code is exchanged with the client credentials {where}."

    def _exchange(
        self, code: str, *, code_verifier: str | None = None, auth_method: str = "basic"
    ) -> tuple[dict[str, Any], HttpRecord]:
        """A code exchange as LivePerson sends it; a refusal raises ValidationFailure."""
        return exchange_code(
            self._need_endpoints().token_endpoint,
            code=code,
            redirect_uri=self.target.redirect_uri,
            code_verifier=code_verifier,
            client_id=self.target.client_id,
            client_secret=self.target.client_secret,
            auth_method=auth_method,
            timeout=self.target.timeout,
        )

    def _verifying_kid(self, token: str) -> str | None:
        """The kid of the JWKS key whose RS256 signature verifies `token`, if any."""
        keys = self._need_keys()
        for kid in self.kids:
            try:
                id_token.verify_signature(token, _OneKey(keys.key_for(kid)))
            except ValidationFailure:
                continue
            return kid
        return None

    def _redeem(
        self, code: str, *, redirect_uri: str | None = None, client_secret: str | None = None
    ) -> requests.Response:
        """One token request with client_secret_basic; the raw answer, whatever its status."""
        endpoint = self._need_endpoints().token_endpoint
        response, _, record = request_tokens(
            endpoint,
            form={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri or self.target.redirect_uri,
            },
            client_id=self.target.client_id,
            client_secret=client_secret or self.target.client_secret,
            auth_method="basic",
            timeout=self.target.timeout,
        )
        if response is None:
            why = record.body or f"no answer within {self.target.timeout:g} s"
            raise _NotRun(FAIL, f"The token endpoint {endpoint} did not answer: {why}.")
        return response

    def _fresh_code(self, *, pkce_challenge: str | None = None) -> str:
        """A new code from the backend's `POST /api/liveperson/code`, for the configured redirect_uri."""
        if not self.target.fresh_codes:
            raise _NotRun(WARN, NEEDS_FRESH_CODE)
        session = self._login()
        url = self._api_url("/api/liveperson/code")
        body = {"redirect_uri": self.target.redirect_uri}
        if pkce_challenge is not None:
            body.update(code_challenge=pkce_challenge, code_challenge_method="S256")
        try:
            response = requests.post(
                url, json=body, headers={"Authorization": f"Bearer {session}"}, timeout=self.target.timeout
            )
        except requests.RequestException as error:
            raise _NotRun(FAIL, f"Could not obtain a code from {url}: {error}") from None
        code = _json(response).get("code")
        if response.status_code != 200 or not isinstance(code, str):
            answer = f"HTTP {response.status_code} {_detail(response)}"
            raise _CodeRefused(FAIL, f"Could not obtain a code: {url} answered {answer}.")
        return code

    def _login(self) -> str:
        """A session token from `POST /api/session`, asked for once (a failed login is not retried:
        the backend rate-limits failures)."""
        if self._login_failure is not None:
            raise self._login_failure
        if self._session is not None:
            return self._session
        url = self._api_url("/api/session")
        try:
            response = requests.post(
                url,
                json={"email": self.target.email, "password": self.target.password},
                timeout=self.target.timeout,
            )
            token = _json(response).get("session_token")
            if response.status_code != 200 or not isinstance(token, str):
                reason = f"answered HTTP {response.status_code} {_detail(response)}"
            else:
                self._session = token
                return token
        except requests.RequestException as error:
            reason = f"failed: {error}"
        self._login_failure = _NotRun(
            FAIL, f"Could not log in as {self.target.email} to obtain codes: POST {url} {reason}"
        )
        raise self._login_failure

    def _api_url(self, path: str) -> str:
        return self.target.issuer.rstrip("/") + path


def _outcome(check_id: str, step: Callable[[], tuple[str, str]]) -> CheckResult:
    """Run one check; whatever goes wrong becomes its reported status, never a traceback."""
    try:
        status, reason = step()
    except _NotRun as not_run:
        status, reason = not_run.status, not_run.reason
    except ValidationFailure as failure:
        status, reason = FAIL, _failure_reason(failure)
    except requests.RequestException as error:
        status, reason = FAIL, f"A request to the brand failed: {error}"
    except Exception as error:  # a checker reports; it does not crash on an unforeseen answer
        status, reason = FAIL, f"The check could not complete: {type(error).__name__}: {error}"
    reason = " ".join(reason.split())  # one line, whatever the brand answered
    if len(reason) > _MAX_REASON:
        reason = reason[: _MAX_REASON - 3] + "..."
    # Every report line passes here: the brand's words cannot drive the terminal.
    return CheckResult(check_id, status, printable(reason))


def _failure_reason(failure: ValidationFailure) -> str:
    """The core's sentence, followed by the name LivePerson gives that failure."""
    error = failure.error
    name = f"{error.code} {error.name}" if error.code else f'"{error.name}"'
    return f"{failure.message} LivePerson reports {name}."


def _refusal(
    response: requests.Response, status: int, error: str, *, accepted: str, refused: str
) -> tuple[str, str]:
    """PASS when refused with `status` and `error`; FAIL when accepted or answered with a server
    error; WARN when refused otherwise (RFC 6749 §5.2 names the error)."""
    got = _error_code(response)
    if response.status_code < 300:
        return FAIL, accepted
    if response.status_code >= 500:
        return FAIL, (
            f"{refused} only by a server error (HTTP {response.status_code}); the token endpoint must "
            f"answer HTTP {status} {error} (RFC 6749 §5.2)."
        )
    if response.status_code == status and got == error:
        return PASS, f"{refused}: HTTP {status} {error}."
    return WARN, (
        f"{refused}, but with HTTP {response.status_code} {got or '(no error code)'}; RFC 6749 §5.2 "
        f"expects HTTP {status} {error}."
    )


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        body = loads(response.content, limit=DOCUMENT_LIMIT)
    except JsonRejected:
        return {}
    return body if isinstance(body, dict) else {}


def _error_code(response: requests.Response) -> str | None:
    error = _json(response).get("error")
    return error if isinstance(error, str) else None


def _detail(response: requests.Response) -> str:
    body = _json(response)
    if body:
        return f"{body.get('error', '')}: {body.get('error_description', '')}".strip(": ")
    return response.text[:200]


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


def _cache_control(headers: Mapping[str, str]) -> str:
    return _header(headers, "Cache-Control") or "absent"


def _has_no_store(headers: Mapping[str, str]) -> bool:
    directives = (_header(headers, "Cache-Control") or "").split(",")
    return any(directive.strip().lower() == "no-store" for directive in directives)
