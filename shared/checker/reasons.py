"""What a check reports: a status and one printable line of reason, whatever the brand answered.

Every result passes through `outcome`, which turns a check's answer, a prerequisite it lacks
(`NotRun`), a failure of LivePerson's validation or an unforeseen answer into a `CheckResult`:
one line, cut short, with the brand's control characters escaped. The other helpers put the
brand's answers into words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests

from shared.checker.printable import printable
from shared.validation.errors import ValidationFailure
from shared.validation.safe_json import DOCUMENT_LIMIT, JsonRejected, loads

PASS, WARN, FAIL = "PASS", "WARN", "FAIL"
_MAX_REASON = 500  # characters; a brand's HTML error page is cut short

Outcome = tuple[str, str]  # (status, reason), what a check returns


@dataclass(frozen=True)
class CheckResult:
    id: str
    status: str  # PASS, WARN or FAIL
    reason: str


class NotRun(Exception):
    """A check that cannot run (a prerequisite failed, or it needs a fresh code)."""

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def outcome(check_id: str, step: Callable[[], Outcome]) -> CheckResult:
    """Run one check; whatever goes wrong becomes its reported status, never a traceback."""
    try:
        status, reason = step()
    except NotRun as not_run:
        status, reason = not_run.status, not_run.reason
    except ValidationFailure as failure:
        status, reason = FAIL, _failure_reason(failure)
    except requests.RequestException as error:
        status, reason = FAIL, f"A request to the brand failed: {error}"
    except Exception as error:  # a checker reports; it does not crash on an unforeseen answer
        status, reason = FAIL, f"The check could not complete: {type(error).__name__}: {error}"
    reason = " ".join(reason.split())  # one line, whatever the brand answered
    if len(reason) > _MAX_REASON:
        reason = reason[: _MAX_REASON - 3] + "..."
    # Every report line passes here: the brand's words cannot drive the terminal.
    return CheckResult(check_id, status, printable(reason))


def _failure_reason(failure: ValidationFailure) -> str:
    """The core's sentence, followed by the name LivePerson gives that failure."""
    error = failure.error
    name = f"{error.code} {error.name}" if error.code else f'"{error.name}"'
    return f"{failure.message} LivePerson reports {name}."


def refusal(response: requests.Response, status: int, error: str, *, accepted: str, refused: str) -> Outcome:
    """PASS when refused with `status` and `error`; FAIL when accepted or answered with a server
    error; WARN when refused otherwise (RFC 6749 §5.2 names the error)."""
    got = error_code(response)
    if response.status_code < 300:
        return FAIL, accepted
    if response.status_code >= 500:
        return FAIL, (
            f"{refused} only by a server error (HTTP {response.status_code}); the token endpoint must "
            f"answer HTTP {status} {error} (RFC 6749 §5.2)."
        )
    if response.status_code == status and got == error:
        return PASS, f"{refused}: HTTP {status} {error}."
    return WARN, (
        f"{refused}, but with HTTP {response.status_code} {got or '(no error code)'}; RFC 6749 §5.2 "
        f"expects HTTP {status} {error}."
    )


def json_body(response: requests.Response) -> dict[str, Any]:
    """The brand's JSON object, or {} for anything else (an HTML error page, a list, junk)."""
    try:
        body = loads(response.content, limit=DOCUMENT_LIMIT)
    except JsonRejected:
        return {}
    return body if isinstance(body, dict) else {}


def error_code(response: requests.Response) -> str | None:
    error = json_body(response).get("error")
    return error if isinstance(error, str) else None


def detail(response: requests.Response) -> str:
    """The error and its description, or the start of a body that is not JSON."""
    body = json_body(response)
    if body:
        return f"{body.get('error', '')}: {body.get('error_description', '')}".strip(": ")
    return response.text[:200]
