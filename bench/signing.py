"""The raw RS256 signing rate of the backend's own key, on one core.

Every token response signs one id_token, so this is the ceiling a single worker process could
reach if everything else (HTTP, Flask, the database) were free: the token endpoint's rate on
the whole machine divided by it says how much of the work is signing and how much is the rest.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from flask import Flask, current_app

from backend.db import get_db
from backend.models.base import utcnow
from backend.protocol import id_token
from bench.backend import demo_user
from bench.codes import SCOPES

BATCH = 50  # signatures between clock reads


@dataclass(frozen=True)
class SigningResult:
    signs_per_second: float
    signatures: int
    seconds: float
    input_bytes: int  # length of the signing input: base64url(header) "." base64url(claims)
    key_bits: int


def measure(app: Flask, seconds: float) -> SigningResult:
    """Sign the demo user's id_token signing input (for the scopes the codes carry) with the
    active key for about `seconds`."""
    with app.app_context():
        db = get_db()
        key = current_app.extensions["keyring"].signing_key(db)
        now = utcnow()
        claims = id_token.claims(
            issuer=current_app.config["ISSUER"],
            subject=id_token.subject_claims(demo_user(db), SCOPES),
            client_id=current_app.config["LIVEPERSON_CLIENT_ID"],
            auth_time=now,
            now=now,
            lifetime=current_app.config["ID_TOKEN_LIFETIME"],
        )
    # Exactly what the token endpoint signs: the token without its signature.
    data = id_token.sign(claims, key).rsplit(".", 1)[0].encode()
    private_key = key.private_key
    pad, digest = padding.PKCS1v15(), hashes.SHA256()
    count, elapsed = 0, 0.0
    started = time.perf_counter()
    while elapsed < seconds:
        for _ in range(BATCH):
            private_key.sign(data, pad, digest)
        count += BATCH
        elapsed = time.perf_counter() - started
    return SigningResult(count / elapsed, count, elapsed, len(data), private_key.key_size)
