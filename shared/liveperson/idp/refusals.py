"""How the IdP refuses: LivePerson's body, `{"internalErrorCode": "9011"}` (the shape its SDKs
receive, developer-center issues #66 and #198), with what LivePerson leaves out and a brand
developer needs: the error's name, one sentence of why, and the failed check's id (the ids of
`liveperson-check` and the inspector)."""

from __future__ import annotations

from flask import jsonify
from flask.typing import ResponseReturnValue

from shared.validation.errors import INPUT_VALIDATION, LivePersonError


def refusal(
    status: int,
    error: LivePersonError,
    message: str,
    check: str | None = None,
    headers: dict[str, str] | None = None,
) -> ResponseReturnValue:
    body = jsonify(internalErrorCode=error.code, error=error.name, message=message, check=check)
    return body, status, headers or {}


def unknown_account(served: str, asked: str | None) -> ResponseReturnValue:
    return refusal(
        404,
        LivePersonError(None, "Unknown account"),
        f"This stand-in serves account {served}, not {asked!r}.",
    )


def bad_input(message: str, check: str = "input") -> ResponseReturnValue:
    return refusal(400, INPUT_VALIDATION, message, check)
