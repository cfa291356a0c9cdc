"""The app installation's tokens, as LivePerson's Authorization API issues them ("OAuth 2.0 Client
Credentials", version 2): a JWT for the installation's client id, naming the scopes it was
installed with. The stand-in has one installation (`--app-client-id`), with the scope of the Get
Tokens API, `delegated.token.read.external` ("Consumer Delegation: Get Tokens API").

Signed RS256 with the sentinel's own key (instance folder, `KEY_FILE`), apart from the IdP's, and
with its own issuer: a consumer token is never an app token, nor the other way round.

Plain Python: no Flask.
"""

from __future__ import annotations

import hmac
import time
from pathlib import Path

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from shared import contract
from shared.liveperson.private_files import rsa_key

KEY_FILE = "sentinel-key.pem"
ISSUER = "liveperson-stand-in/sentinel"
LIFETIME = 3600  # seconds


class AppTokenRefused(Exception):
    """Not an app token of this account's sentinel, or expired; the message says which."""


class AppTokens:
    def __init__(self, key: rsa.RSAPrivateKey, account: str, client_id: str, client_secret: str) -> None:
        self._key = key
        self._audience = f"acc:{account}"
        self._client_id = client_id
        self._client_secret = client_secret

    @classmethod
    def in_folder(cls, folder: Path, account: str, client_id: str, client_secret: str) -> AppTokens:
        return cls(rsa_key(folder / KEY_FILE), account, client_id, client_secret)

    def authenticates(self, client_id: str, client_secret: str) -> bool:
        """The installation's credentials, compared in constant time."""
        return hmac.compare_digest(client_id.encode(), self._client_id.encode()) & hmac.compare_digest(
            client_secret.encode(), self._client_secret.encode()
        )

    def issue(self) -> str:
        issued = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": self._audience,
            "sub": self._client_id,
            "scope": contract.DELEGATED_TOKEN_SCOPE,
            "iat": issued,
            "exp": issued + LIFETIME,
        }
        return jwt.encode(claims, self._key, algorithm="RS256")

    def scopes(self, token: str) -> list[str]:
        """The scopes of an app token this sentinel issued; AppTokenRefused otherwise."""
        try:
            claims = jwt.decode(
                token,
                self._key.public_key(),
                algorithms=["RS256"],
                audience=self._audience,
                issuer=ISSUER,
                options={"require": ["exp", "aud", "iss", "scope"]},
            )
        except jwt.ExpiredSignatureError:
            raise AppTokenRefused("The app token has expired: get a new one.") from None
        except jwt.InvalidTokenError:
            raise AppTokenRefused("The bearer token is not an app token of this account.") from None
        scope = claims["scope"]
        return scope.split() if isinstance(scope, str) else []
