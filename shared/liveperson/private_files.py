"""The stand-in's secrets on disk: the keys that sign consumer tokens and app tokens, the key that
seals delegated tokens, the app installation's secret, the JWE key pair the brand configures.
Each is made on first start and read after, so what it protects outlives a restart, and is
readable by its owner only from the moment it exists."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def read_or_create(path: Path, make: Callable[[], bytes]) -> bytes:
    """The file's content; on first use, `make()`'s, written to a file created 0600 (its folder
    0700 if made) so that no other user can read it even while it is being written."""
    if path.exists():
        return path.read_bytes()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    content = make()
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: theirs is the one
        return path.read_bytes()
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)
    return content


def rsa_key(path: Path) -> rsa.RSAPrivateKey:
    """An RSA signing key kept as PKCS#8 PEM in `path`."""
    pem = read_or_create(path, _new_rsa_pem)
    key = serialization.load_pem_private_key(pem, password=None)
    assert isinstance(key, rsa.RSAPrivateKey), f"{path} does not hold an RSA key"
    return key


def _new_rsa_pem() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
