"""The id_token signing keys: generation, encryption at rest, rotation, and a per-process cache.

Private keys are parsed once per process and kept in memory; for signing, the key list is
re-read from the database at most every KEY_REFRESH_INTERVAL seconds (the JWKS reads it fresh),
so a key rotated by any process (or the CLI) is published everywhere before it signs anywhere,
and no request pays for a PEM parse.
"""

from __future__ import annotations

import base64
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from jwt.algorithms import RSAAlgorithm
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.models import SigningKey
from backend.models.base import utcnow


class KeyStoreError(RuntimeError):
    """The key store cannot produce a signing key; the message says what to do."""


@dataclass(frozen=True)
class ActiveKey:
    """The key that signs (an `IssuerKey` for `protocol/id_token.py`), and its public JWK."""

    kid: str
    private_key: rsa.RSAPrivateKey
    public_jwk: dict[str, Any]


@dataclass(frozen=True)
class _Published:
    kid: str
    public_jwk: dict[str, Any]
    activates_at: datetime


class KeyRing:
    def __init__(self, encryption_secret: str, refresh_interval: int, token_lifetime: int) -> None:
        self._fernet = Fernet(_fernet_key(encryption_secret))
        self._refresh_interval = refresh_interval
        self._token_lifetime = token_lifetime
        self._lock = threading.Lock()
        self._loaded_at = float("-inf")
        self._published: list[_Published] = []  # sorted by activates_at
        self._private: dict[str, ActiveKey] = {}

    # -- reading -------------------------------------------------------------------------

    def signing_key(self, db: Session) -> ActiveKey:
        """The newest key whose activation time has passed."""
        self._refresh(db)
        now = utcnow()
        active = [key for key in self._published if key.activates_at <= now]
        if not active:
            raise KeyStoreError("No signing key yet: run `flask --app backend init-db`.")
        newest = active[-1]
        if newest.kid not in self._private:
            private_key = self._decrypt(db.get(SigningKey, newest.kid))
            self._private[newest.kid] = ActiveKey(newest.kid, private_key, newest.public_jwk)
        return self._private[newest.kid]

    def jwks(self, db: Session) -> dict[str, Any]:
        """RFC 7517 §5 key set: the next key, the active key, and retired keys whose tokens
        may still be unexpired.

        Always read fresh: verifiers cache this document for up to KEY_REFRESH_INTERVAL (its
        max-age), so a cached key list on top of that could keep a rotated key from them
        after it starts signing."""
        self._refresh(db, force=True)
        now = utcnow()
        keep_after = now - timedelta(seconds=self._token_lifetime + self._refresh_interval)
        keys = []
        for index, key in enumerate(self._published):
            successor = self._published[index + 1] if index + 1 < len(self._published) else None
            retired = successor is not None and successor.activates_at <= keep_after
            if not retired:
                keys.append(key.public_jwk)
        return {"keys": keys}

    def invalidate(self) -> None:
        """Forget the key list, so the next call re-reads it (after a rotation in this process)."""
        self._loaded_at = float("-inf")

    def _refresh(self, db: Session, force: bool = False) -> None:
        if not force and time.monotonic() - self._loaded_at < self._refresh_interval:
            return
        with self._lock:
            rows = db.execute(
                select(SigningKey.kid, SigningKey.public_jwk, SigningKey.activates_at)
                .order_by(SigningKey.activates_at)
            ).all()
            self._published = [_Published(r.kid, r.public_jwk, r.activates_at) for r in rows]
            self._loaded_at = time.monotonic()

    def _decrypt(self, row: SigningKey | None) -> rsa.RSAPrivateKey:
        if row is None:
            raise KeyStoreError("A published signing key disappeared from the database.")
        try:
            pem = self._fernet.decrypt(row.encrypted_private_pem)
        except InvalidToken:
            raise KeyStoreError(
                f"Cannot decrypt signing key {row.kid}: BACKEND_KEY_ENCRYPTION_SECRET (or "
                "BACKEND_SECRET_KEY) is not the one the key was encrypted with."
            ) from None
        key = load_pem_private_key(pem, password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise KeyStoreError(f"Signing key {row.kid} is not an RSA key.")
        return key

    # -- writing -------------------------------------------------------------------------

    def add_key(self, db: Session) -> SigningKey:
        """Generate an RSA-2048 key. The first key signs at once; a rotated key is published
        now and signs after one refresh interval, once every process has published it."""
        has_keys = db.scalar(select(SigningKey.kid).limit(1)) is not None
        kid = secrets.token_urlsafe(12)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        # Taken after the slow generation: a JWKS served meanwhile lacks the key, and may be
        # cached for a whole interval from then.
        now = utcnow()
        row = SigningKey(
            kid=kid,
            public_jwk=public_jwk(key.public_key(), kid),
            encrypted_private_pem=self._fernet.encrypt(pem),
            created_at=now,
            activates_at=now + timedelta(seconds=self._refresh_interval) if has_keys else now,
        )
        db.add(row)
        db.commit()
        self.invalidate()
        return row


def public_jwk(public_key: rsa.RSAPublicKey, kid: str) -> dict[str, Any]:
    """RFC 7517 §4, RFC 7518 §6.3.1: the key as the JWKS publishes it. PyJWT's export adds
    `key_ops`, which RFC 7517 §4.3 says not to combine with `use`; verifiers select by `kid`."""
    exported = RSAAlgorithm.to_jwk(public_key, as_dict=True)
    return {"kty": "RSA", "n": exported["n"], "e": exported["e"], "kid": kid, "use": "sig", "alg": "RS256"}


def public_key_spki_base64(jwk: dict[str, Any]) -> str:
    """The public key as LivePerson's console wants it: base64 SPKI (PEM body) on one line."""
    key = RSAAlgorithm.from_jwk(jwk)
    public_key = key.public_key() if isinstance(key, rsa.RSAPrivateKey) else key
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode()


def _fernet_key(secret: str) -> bytes:
    raw = HKDF(hashes.SHA256(), 32, salt=None, info=b"backend signing-key encryption").derive(
        secret.encode()
    )
    return base64.urlsafe_b64encode(raw)
