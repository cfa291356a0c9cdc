"""The stand-in's own encryption key pair, and decryption of a brand's nested JWE.

LivePerson gives the brand an RSA public key; the brand signs the id_token, then encrypts it
(RFC 7519 §5.2 nested JWT) with `alg` RSA-OAEP-256 and `enc` A256GCM or A128CBC-HS256.
"""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives import serialization
from joserfc import jwe
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

from shared.validation.errors import FAILED_TO_DECRYPT, INPUT_VALIDATION, ValidationFailure
from shared.validation.safe_json import JsonRejected, b64url_json_object

ALGORITHMS = ("RSA-OAEP-256",)
ENCRYPTIONS = ("A256GCM", "A128CBC-HS256")


def is_jwe(token: str) -> bool:
    """A compact JWE has five parts, a JWS three (RFC 7516 §7.1)."""
    return token.count(".") == 4


class EncryptionKeyPair:
    def __init__(self, key: RSAKey) -> None:
        self._key = key

    @classmethod
    def generate(cls) -> EncryptionKeyPair:
        key = RSAKey.generate_key(2048, private=True)
        # The kid derives from the key (RFC 7638 thumbprint), so a key file reloads the same kid.
        return cls.from_pem(key.as_pem(private=True))

    @classmethod
    def from_pem(cls, pem: bytes) -> EncryptionKeyPair:
        key = RSAKey.import_key(pem)
        return cls(
            RSAKey.import_key(pem, {"kid": key.thumbprint()[:12], "use": "enc", "alg": "RSA-OAEP-256"})
        )

    def private_pem(self) -> bytes:
        return self._key.as_pem(private=True)

    @property
    def kid(self) -> str:
        return self._key.kid or ""

    def public_spki_base64(self) -> str:
        """What LivePerson shows the brand: base64 SPKI on one line."""
        der = self._key.public_key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return base64.b64encode(der).decode()

    def public_pem(self) -> str:
        return self._key.as_pem(private=False).decode()

    def decrypt(self, token: str) -> str:
        """The signed JWT inside; every failure is LivePerson's 1004 with the reason."""
        try:
            header = b64url_json_object(token.split(".")[0])
        except JsonRejected as error:
            raise ValidationFailure(
                "jwe", FAILED_TO_DECRYPT, f"The JWE's protected header {error}."
            ) from None
        if header.get("alg") not in ALGORITHMS:
            raise ValidationFailure(
                "jwe",
                FAILED_TO_DECRYPT,
                f"JWE alg is {header.get('alg')!r}; LivePerson expects RSA-OAEP-256.",
            )
        if header.get("enc") not in ENCRYPTIONS:
            raise ValidationFailure(
                "jwe", FAILED_TO_DECRYPT, f"JWE enc is {header.get('enc')!r}; use A256GCM or A128CBC-HS256."
            )
        if header.get("kid") not in (None, self.kid):
            raise ValidationFailure(
                "jwe",
                FAILED_TO_DECRYPT,
                f"The JWE is encrypted for key {header.get('kid')!r}, not LivePerson's key {self.kid!r}.",
            )
        try:
            plaintext = jwe.decrypt_compact(
                token, self._key, algorithms=[*ALGORITHMS, *ENCRYPTIONS]
            ).plaintext
        except (JoseError, ValueError, TypeError) as error:  # joserfc: TypeError for e.g. "crit": 5
            raise ValidationFailure(
                "jwe",
                FAILED_TO_DECRYPT,
                f"The JWE does not decrypt with LivePerson's private key ({error}): was it encrypted "
                "with the public key LivePerson published?",
            ) from None
        try:
            return (plaintext or b"").decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationFailure(
                "jwe",
                INPUT_VALIDATION,
                "The JWE decrypted, but what it holds is not text; it must hold the signed JWT "
                "(RFC 7519 §5.2 nested JWT).",
            ) from None
