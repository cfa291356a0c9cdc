"""Where LivePerson gets the brand's public key: a JWKS URL, or a pasted one-line base64 SPKI.

With a JWKS, the token's `kid` picks the key; a JWKS of several keys and a token without `kid`
is an error ("multiple JWK without kid header"), as is a `kid` the JWKS does not have. Each
key is read by PyJWT's `PyJWK` (RFC 7517 §4, RFC 7518 §6.3.1).

The JWKS is fetched here rather than by PyJWT's `PyJWKClient`: the document goes through
`safe_json`'s size and nesting bounds like every other document a brand serves, the request
has LivePerson's timeout, and a failure names the step and the URL.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, Protocol

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_der_public_key

from shared.validation import brand_http
from shared.validation.errors import (
    INPUT_VALIDATION,
    KID_NOT_FOUND,
    MULTIPLE_JWK_WITHOUT_KID,
    ValidationFailure,
)
from shared.validation.safe_json import DOCUMENT_LIMIT, JsonRejected, loads


class KeySource(Protocol):
    def key_for(self, kid: str | None) -> RSAPublicKey: ...


class JwksKeys:
    """The brand's JWKS, fetched on first use and again when a token names an unknown `kid`
    (the brand may have rotated keys since)."""

    def __init__(self, url: str, timeout: float) -> None:
        self.url = url
        self.timeout = timeout
        self._keys: list[dict[str, Any]] | None = None

    def fetch(self) -> list[dict[str, Any]]:
        try:
            response = brand_http.request("GET", self.url, timeout=self.timeout)
            document = loads(response.content, limit=DOCUMENT_LIMIT)
        except requests.RequestException as error:
            raise ValidationFailure(
                "jwks", INPUT_VALIDATION, f"Could not read the JWKS at {self.url}: {error}"
            ) from None
        except JsonRejected as error:
            raise ValidationFailure("jwks", INPUT_VALIDATION, f"The JWKS at {self.url} {error}.") from None
        keys = document.get("keys") if isinstance(document, dict) else None
        if response.status_code != 200 or not isinstance(keys, list):
            raise ValidationFailure(
                "jwks", INPUT_VALIDATION, f'{self.url} is not a JWKS ({{"keys": [...]}}).'
            )
        self._keys = [key for key in keys if isinstance(key, dict) and key.get("kty") == "RSA"]
        if not self._keys:
            raise ValidationFailure("jwks", INPUT_VALIDATION, f"The JWKS at {self.url} has no RSA key.")
        return self._keys

    def key_for(self, kid: str | None) -> RSAPublicKey:
        keys = self._keys if self._keys is not None else self.fetch()
        if kid is None:
            if len(keys) > 1:
                raise ValidationFailure(
                    "id-token-kid",
                    MULTIPLE_JWK_WITHOUT_KID,
                    f"The token has no kid header and the JWKS has {len(keys)} keys: LivePerson cannot "
                    "tell which one signed it. Put the signing key's kid in the JWT header.",
                )
            return _public_key(keys[0])
        matching = [key for key in keys if key.get("kid") == kid]
        if not matching:
            matching = [key for key in self.fetch() if key.get("kid") == kid]
        if not matching:
            raise ValidationFailure(
                "id-token-kid",
                KID_NOT_FOUND,
                f"The token's kid {kid!r} is not in the JWKS at {self.url}. Publish a key before "
                "signing with it, and keep retired keys until their tokens expire.",
            )
        return _public_key(matching[0])


def _public_key(jwk: dict[str, Any]) -> RSAPublicKey:
    # Its public members only: a JWKS that wrongly publishes `d` still yields the public key,
    # and no private numbers a brand sent are ever computed with.
    public = {name: jwk[name] for name in ("kty", "n", "e") if name in jwk}
    try:
        key = jwt.PyJWK(public, algorithm="RS256").key
    except jwt.PyJWTError:
        key = None
    if not isinstance(key, RSAPublicKey):
        raise ValidationFailure(
            "jwks", INPUT_VALIDATION, f"JWKS key {jwk.get('kid')!r} is not a valid RSA key."
        )
    return key


class PastedPublicKey:
    """The key a brand pastes into LivePerson's console: base64 DER SubjectPublicKeyInfo on one
    line (a PEM without its header, footer and line breaks)."""

    def __init__(self, spki_base64: str) -> None:
        text = "".join(spki_base64.split())
        if text.startswith("-----BEGIN"):
            raise ValueError("Paste the key without the -----BEGIN/END----- lines, on one line.")
        try:
            key = load_der_public_key(base64.b64decode(text, validate=True))
        except (ValueError, binascii.Error) as error:
            raise ValueError(f"Not a base64 SPKI public key: {error}") from None
        if not isinstance(key, RSAPublicKey):
            raise ValueError("LivePerson needs an RSA public key.")
        self._key = key

    def key_for(self, kid: str | None) -> RSAPublicKey:
        return self._key
