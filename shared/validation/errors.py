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
KID_NOT_FOUND = LivePersonError(None, "JWK kid was not found")
MULTIPLE_JWK_WITHOUT_KID = LivePersonError(None, "Multiple JWK without kid header")
WRONG_ISSUER = LivePersonError(None, "Wrong issuer")
BAD_SDES = LivePersonError(None, "Invalid lp_sdes")


class ValidationFailure(Exception):
    """One check failed. `check` is the stable check id (see shared.checker)."""

    def __init__(self, check: str, error: LivePersonError, message: str, record: Any = None) -> None:
        super().__init__(message)
        self.check = check
        self.error = error
        self.message = message
        self.record = record  # the HTTP exchange that failed, when there was one

    def as_dict(self) -> dict[str, str | None]:
        return {"error": self.error.name, "code": self.error.code, "message": self.message}
