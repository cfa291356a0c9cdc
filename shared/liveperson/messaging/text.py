"""A message's text, the one rule for the consumer's socket and the agent's API: a non-empty
string of at most `MAX_LENGTH` characters, with no NUL and no lone surrogate."""

from __future__ import annotations

from typing import Any

from shared.liveperson.messaging import envelope

MAX_LENGTH = 10_000


def problem(value: Any, name: str = "text") -> str | None:
    """Why `value` cannot be a message's text, or None."""
    if not isinstance(value, str) or not value.strip():
        return f"{name} must be a non-empty string."
    if len(value) > MAX_LENGTH:
        return f"{name} must be at most {MAX_LENGTH} characters."
    if "\x00" in value:
        return f"{name} must not contain NUL characters."
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return f"{name} must be valid Unicode text (it holds a lone surrogate)."
    return None


def checked(value: Any, name: str) -> str:
    reason = problem(value, name)
    if reason is not None:
        raise envelope.Refused(400, reason)
    return value
