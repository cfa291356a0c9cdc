"""An encrypted id_token for LivePerson's implicit flow: a Nested JWT (RFC 7519 §5.2, §A.2).

Sign first, then encrypt the signed JWT with LivePerson's RSA public key (RFC 7516 compact
serialization): `alg` RSA-OAEP-256, `enc` A256GCM or A128CBC-HS256, `cty` "JWT", and the
key id LivePerson published with its key.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from joserfc import jwe
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

ENCRYPTIONS = ("A256GCM", "A128CBC-HS256")


@dataclass(frozen=True)
class Recipient:
    """LivePerson's public key, and the `enc` it asked for: id_tokens issued to `client_id`
    leave encrypted for it, whichever way (to the app, or to the pop-out window)."""

    client_id: str
    key: RSAKey
    enc: str


def load_public_key(text: str, kid: str | None) -> RSAKey:
    """LivePerson's key, as PEM or as the one-line base64 SPKI its console shows.

    Raises ValueError for anything that is not an RSA key."""
    text = text.strip()
    if not text.startswith("-----BEGIN"):
        der = base64.b64decode(text)
        body = base64.encodebytes(der).decode()
        text = f"-----BEGIN PUBLIC KEY-----\n{body}-----END PUBLIC KEY-----\n"
    parameters = {"use": "enc", "alg": "RSA-OAEP-256"}
    if kid:
        parameters["kid"] = kid
    try:
        return RSAKey.import_key(text, parameters)
    except JoseError as error:  # e.g. a valid EC key: not a ValueError
        raise ValueError(error.description or str(error)) from None


def encrypt(signed_jwt: str, public_key: RSAKey, enc: str) -> str:
    if enc not in ENCRYPTIONS:
        raise ValueError(f"JWE enc must be one of {', '.join(ENCRYPTIONS)}, not {enc!r}.")
    header = {"alg": "RSA-OAEP-256", "enc": enc, "cty": "JWT"}
    if public_key.kid:
        header["kid"] = public_key.kid
    return jwe.encrypt_compact(header, signed_jwt, public_key, algorithms=["RSA-OAEP-256", enc])
