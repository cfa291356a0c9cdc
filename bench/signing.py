"""The raw RS256 signing rate of the backend's own key, on one core.

Every token response signs one id_token, so this is the ceiling a single worker process could
reach if everything else (HTTP, Flask, the database) were free: the token endpoint's rate on
the whole machine divided by it says how much of the work is signing and how much is the rest.
Measured two ways, in alternating rounds so that a busy moment of the machine hits both alike:
the RSA operation alone (`cryptography`, the limit), and PyJWT's `jwt.encode` of the same
claims with the same header (what the backend signs with).
"""

from __future__ import annotations

import base64
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from backend.db import get_db
from bench.backend import Backend

BATCH = 50  # signatures between clock reads
ROUNDS = 4  # per way of signing, alternating


@dataclass(frozen=True)
class SigningResult:
    signs_per_second: float  # the RSA operation alone, median of the rounds: the ratio's denominator
    jwt_encode_per_second: float  # jwt.encode, header and claims included
    best_per_second: float  # the RSA operation's fastest round: the least disturbed by other work
    seconds: float  # spent signing, both ways together
    input_bytes: int  # length of the signing input: base64url(header) "." base64url(claims)
    key_bits: int


def measure(live: Backend, id_token: str, seconds: float) -> SigningResult:
    """Sign what the token endpoint signed in `id_token` (one it issued) again with the active
    key, for about `seconds` in all."""
    with live.app.app_context():
        private_key = live.app.extensions["keyring"].signing_key(get_db()).private_key
    data = id_token.rsplit(".", 1)[0].encode()
    pad, digest = padding.PKCS1v15(), hashes.SHA256()
    header, claims = (json.loads(base64.urlsafe_b64decode(part + b"==")) for part in data.split(b"."))
    extra = {name: value for name, value in header.items() if name not in ("alg", "typ")}  # the kid
    ways: dict[str, Callable[[], Any]] = {
        "raw": lambda: private_key.sign(data, pad, digest),
        "jwt": lambda: jwt.encode(claims, private_key, algorithm="RS256", headers=extra),
    }
    rates: dict[str, list[float]] = {name: [] for name in ways}
    started = time.perf_counter()
    for _ in range(ROUNDS):
        for name, sign in ways.items():
            rates[name].append(_rate(sign, seconds / ROUNDS / len(ways)))
    spent = time.perf_counter() - started
    raw = rates["raw"]
    return SigningResult(
        statistics.median(raw), statistics.median(rates["jwt"]), max(raw), spent, len(data),
        private_key.key_size,
    )


def median(results: list[SigningResult]) -> SigningResult:
    """The run's figure, from the measurements taken before each load run."""
    return SigningResult(
        statistics.median(result.signs_per_second for result in results),
        statistics.median(result.jwt_encode_per_second for result in results),
        max(result.best_per_second for result in results),
        sum(result.seconds for result in results),
        results[0].input_bytes,
        results[0].key_bits,
    )


def _rate(sign: Callable[[], Any], seconds: float) -> float:
    count, elapsed, started = 0, 0.0, time.perf_counter()
    while elapsed < seconds:
        for _ in range(BATCH):
            sign()
        count += BATCH
        elapsed = time.perf_counter() - started
    return count / elapsed
