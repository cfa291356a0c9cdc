"""LivePerson's consumer token: what its IdP answers `signup` and `authenticate` with, and what
the consumer's WebSocket presents (`Authorization: jwt <token>`, or in `InitConnection`).

Signed RS256 with the stand-in's own key, kept in its instance folder so that tokens stay
valid across a restart. An authenticated consumer's token names the brand's customer (`iss`
and `sub` of the brand's id_token, in `lp.ext`) and expires when that id_token does, never
later: then the WebSocket closes with 4401 and the SDK asks the brand's app for a fresh code or
JWT. An unauthenticated consumer's token lasts `unauthenticated_lifetime`; at its end the
socket closes with 4407 and the consumer extends it at `signup` (`signup.py`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from shared.liveperson.private_files import rsa_key

KEY_FILE = "consumer-token-key.pem"
ISSUER = "liveperson-stand-in"
EXTERNAL = "lp.ext"  # the brand's identity inside LivePerson's token, as its tutorial's token shows


class TokenRefused(Exception):
    """The token is not one this IdP issued for the account, or it has expired (`expired`)."""

    def __init__(self, message: str, expired: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.expired = expired


@dataclass(frozen=True)
class Identity:
    """Who holds a token this IdP issued."""

    consumer_id: str
    brand: tuple[str, str] | None  # the id_token's (iss, sub); None: an unauthenticated consumer
    expires_at: int  # seconds since the epoch

    @property
    def authenticated(self) -> bool:
        return self.brand is not None


class ConsumerTokens:
    def __init__(self, key: rsa.RSAPrivateKey, account: str) -> None:
        self._key = key
        self._audience = f"acc:{account}"  # LivePerson's form of the account in `aud`

    @classmethod
    def in_folder(cls, folder: Path, account: str) -> ConsumerTokens:
        """With the signing key of `folder`, made on first start."""
        return cls(rsa_key(folder / KEY_FILE), account)

    def issue(self, identity: Identity) -> str:
        claims: dict[str, object] = {
            "iss": ISSUER,
            "aud": self._audience,
            "sub": identity.consumer_id,
            "iat": int(time.time()),
            "exp": identity.expires_at,
        }
        if identity.brand is not None:
            claims[EXTERNAL] = {"iss": identity.brand[0], "sub": identity.brand[1]}
        return jwt.encode(claims, self._key, algorithm="RS256")

    def read(self, token: str, *, allow_expired: bool = False) -> Identity:
        """The identity in a token this IdP issued for this account; `TokenRefused` otherwise,
        and when it has expired unless `allow_expired`."""
        try:
            claims = jwt.decode(
                token,
                self._key.public_key(),
                algorithms=["RS256"],
                audience=self._audience,
                issuer=ISSUER,
                options={"require": ["sub", "exp", "aud", "iss"], "verify_exp": not allow_expired},
            )
        except jwt.ExpiredSignatureError:
            raise TokenRefused("The consumer token has expired.", expired=True) from None
        except jwt.InvalidTokenError as error:
            raise TokenRefused(f"The consumer token is not one this IdP issued: {error}.") from None
        external = claims.get(EXTERNAL)
        brand = (external["iss"], external["sub"]) if isinstance(external, dict) else None
        return Identity(claims["sub"], brand, claims["exp"])
