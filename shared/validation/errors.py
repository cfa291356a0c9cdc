"""LivePerson's names for authentication failures (its IdP error table), with a sentence a brand
developer can act on. LivePerson itself answers only the number; the stand-in adds the why."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class LivePersonError:
    code: str | None  # LivePerson's error number, where it has one
    name: str


JWT_EXPIRED = LivePersonError("1012", "JWT expired")
FAILED_TO_DECRYPT = LivePersonError("1004", "Failed to decrypt JWE")
JWT_NOT_VALID = LivePersonError("9007", "Customer JWT not valid")
AUTH_FAILED = LivePersonError("9011", "Customer authentication failed")
INPUT_VALIDATION = LivePersonError("9012", "Input validation error")
BRAND_TIMEOUT = LivePersonError("9013", "Brand endpoint timeout")
KID_NOT_FOUND = LivePersonError("1041", "JWK kid was not found")
MULTIPLE_JWK_WITHOUT_KID = LivePersonError("1042", "Multiple JWK without kid header")
WRONG_ISSUER = LivePersonError(None, "Wrong issuer")
BAD_SDES = LivePersonError("1026", "SDE parse exception")
# The consumer's own identity at LivePerson (signup, step-up, the WebSocket's token).
UNSUPPORTED_AUTH_TYPE = LivePersonError("9015", "Unsupported auth type")
LIVEPERSON_JWT_NOT_VALID = LivePersonError("9008", "LivePerson JWT not valid")
UNAUTHENTICATED_REFRESH_EXPIRED = LivePersonError("2001", "Unauthenticated JWT refresh expired")


class ValidationFailure(Exception):
    """One check failed. `check` is the stable check id (see shared.checker)."""

    def __init__(self, check: str, error: LivePersonError, message: str, record: Any = None) -> None:
        super().__init__(message)
        self.check = check
        self.error = error
        self.message = message
        self.record = record  # the HTTP exchange that failed, when there was one

    def as_dict(self) -> dict[str, str | None]:
        error = self.error
        return {"error": error.name, "code": error.code, "message": self.message, "check": self.check}
