"""What the host app hands the SDK to authenticate the customer: a code, a JWT, or nothing; and
the PKCE parameters the SDK makes for the code flow.

Mirrors Android's `LPAuthenticationParams` (`setAuthKey`, `setHostAppRedirectUri`,
`setCodeVerifier`, `setHostAppJWT`, `setPerformStepUp`, `setIssuerDisplayName`, type `AUTH` /
`UN_AUTH`) and iOS's `LPAuthenticationParams(authenticationCode:, jwt:, redirectURI:,
type:)`; `get_pkce_params` is Android's `LivePerson.getPKCEParams()` (LivePerson's mobile PKCE:
the SDK makes the verifier, the app authorizes with its challenge and hands the code back with
`setCodeVerifier`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from shared import pkce


class AuthType(Enum):
    """`LPAuthenticationType`: an authenticated (AUTH) or an unauthenticated (UN_AUTH) customer."""

    AUTH = "AUTH"
    UN_AUTH = "UN_AUTH"


@dataclass(frozen=True)
class PkceParams:
    """RFC 7636 parameters for one code: the app sends `code_challenge` and
    `code_challenge_method` to the brand's authorization, and passes `code_verifier` back in
    `AuthenticationParams.code(..., code_verifier=...)`."""

    code_verifier: str = field(repr=False)
    code_challenge: str
    code_challenge_method: str = "S256"


def get_pkce_params() -> PkceParams:
    """A fresh verifier and its S256 challenge, for one authorization."""
    verifier, challenge = pkce.new_pair()
    return PkceParams(verifier, challenge)


@dataclass(frozen=True)
class AuthenticationParams:
    """One way of authenticating, checked when built. Prefer the three constructors below.

    `perform_step_up`: on `reconnect`, an unauthenticated customer's conversation goes on as
    this authenticated customer's, with its history (Android `setPerformStepUp(true)`).
    `issuer_display_name`: the brand's name as the app shows it beside the customer; the SDK
    only carries it. Secrets (code, verifier, JWT) are left out of `repr`, hence out of logs.
    """

    type: AuthType = AuthType.AUTH
    auth_key: str | None = field(default=None, repr=False)
    host_app_redirect_uri: str | None = None
    code_verifier: str | None = field(default=None, repr=False)
    host_app_jwt: str | None = field(default=None, repr=False)
    perform_step_up: bool = False
    issuer_display_name: str | None = None

    @classmethod
    def code(
        cls,
        auth_key: str,
        host_app_redirect_uri: str,
        code_verifier: str | None = None,
        *,
        perform_step_up: bool = False,
        issuer_display_name: str | None = None,
    ) -> AuthenticationParams:
        """Code flow: `setAuthKey(code)` + `setHostAppRedirectUri(uri)` [+ `setCodeVerifier(v)`]."""
        return cls(
            AuthType.AUTH,
            auth_key=auth_key,
            host_app_redirect_uri=host_app_redirect_uri,
            code_verifier=code_verifier,
            perform_step_up=perform_step_up,
            issuer_display_name=issuer_display_name,
        )

    @classmethod
    def jwt(
        cls, host_app_jwt: str, *, perform_step_up: bool = False, issuer_display_name: str | None = None
    ) -> AuthenticationParams:
        """Implicit flow: `setHostAppJWT(jwt)`; a signed JWT or a nested JWE."""
        return cls(
            AuthType.AUTH,
            host_app_jwt=host_app_jwt,
            perform_step_up=perform_step_up,
            issuer_display_name=issuer_display_name,
        )

    @classmethod
    def unauthenticated(cls) -> AuthenticationParams:
        """`LPAuthenticationParams(LPAuthenticationType.UN_AUTH)`: no customer identity."""
        return cls(AuthType.UN_AUTH)

    @property
    def flow(self) -> str | None:
        """The flow LivePerson will run: "code", "implicit", or None for an unauthenticated customer."""
        if self.type is AuthType.UN_AUTH:
            return None
        return "code" if self.auth_key is not None else "implicit"

    def __post_init__(self) -> None:
        if not isinstance(self.type, AuthType):
            raise ValueError(f"type must be AuthType.AUTH or AuthType.UN_AUTH, not {self.type!r}")
        given = {
            name: value
            for name, value in (
                ("auth_key", self.auth_key),
                ("host_app_redirect_uri", self.host_app_redirect_uri),
                ("code_verifier", self.code_verifier),
                ("host_app_jwt", self.host_app_jwt),
                ("issuer_display_name", self.issuer_display_name),
            )
            if value is not None
        }
        for name, value in given.items():
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"{name} must be a non-empty string")
        if self.type is AuthType.UN_AUTH:
            if given or self.perform_step_up:
                named = [*given, *(["perform_step_up"] if self.perform_step_up else [])]
                raise ValueError(f"an unauthenticated customer takes no {', '.join(named)}")
            return
        if self.auth_key is not None and self.host_app_jwt is not None:
            raise ValueError("give either a code (auth_key) or a JWT (host_app_jwt), not both")
        if self.auth_key is None and self.host_app_jwt is None:
            raise ValueError("an authenticated customer needs a code (auth_key) or a JWT (host_app_jwt)")
        if self.host_app_jwt is not None:
            self._check_implicit(self.host_app_jwt)
        else:
            self._check_code()

    def _check_code(self) -> None:
        if self.host_app_redirect_uri is None:
            raise ValueError("the code flow needs the redirect URI the code was issued for")
        # What the backend accepts, longer than RFC 7636's 128: LivePerson's own verifiers are.
        if self.code_verifier is not None and not pkce.verifier_well_formed(self.code_verifier):
            raise ValueError(f"code_verifier must be {pkce.VERIFIER_RULE} (RFC 7636)")

    def _check_implicit(self, jwt: str) -> None:
        if self.host_app_redirect_uri is not None or self.code_verifier is not None:
            raise ValueError("a redirect URI and a code verifier belong to the code flow, not to a JWT")
        # A signed JWT has three dot-separated parts (JWS), an encrypted one five (JWE).
        if jwt.count(".") not in (2, 4):
            raise ValueError("host_app_jwt is not a compact JWT (JWS or JWE)")
