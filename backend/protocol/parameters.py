"""What a request parameter may hold, checked before any work is done (RFC 6749 §3.1, §3.2:
a request with a malformed parameter is an `invalid_request`).

- Text is Unicode that UTF-8 can encode, without NUL: JSON's `"\\ud800"` escape yields a lone
  surrogate that no encoder accepts, and PostgreSQL text cannot hold a NUL. No parameter of
  these protocols has a use for either.
- Every parameter the backend stores, looks up or hashes has a maximum length, taken from the
  column that stores it where there is one, so no value reaches the database too long to fit.
- A JSON body is at most `MAX_JSON_DEPTH` levels deep; the walk below uses no recursion, so
  no body can exhaust the stack.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# Characters, per parameter name, wherever it comes from (query, form, JSON, HTTP Basic). Other
# parameters are bounded where their own rule lives (pkce.py, authorization_request.py) or are
# never stored; the request line and MAX_CONTENT_LENGTH bound them all.
MAX_LENGTHS = {
    "email": 320,  # RFC 5321 §4.5.3.1: 64 for the local part, @, 255 for the domain
    "password": 1024,  # long enough for any passphrase; Argon2 hashes it in one pass
    "client_id": 200,
    "client_secret": 512,
    # LivePerson's legacy openID connector sends its pop-out window's parameters, which the RFC
    # connector sends in `state`, in redirect_uri's query (protocol/redirection.py): the same limit.
    "redirect_uri": 12000,
    "code": 512,
    "access_token": 512,
    "refresh_token": 512,
    "token": 512,  # RFC 7009's: an access or refresh token
    "device_token": 512,
    # LivePerson's pop-out window sends several KB of JSON. The login page carries the whole
    # authorization request, `state` encoded twice, in `next`: 12,000 characters still fit
    # gunicorn's 32 KiB request line (gunicorn.conf.py).
    "state": 12000,
    "next": 32768,
    # The consent form carries the authorization request it answers, url-encoded once: up to
    # three characters for each of state's and redirect_uri's 12,000. Each of its parameters
    # meets these limits as well (`pairs_problem`).
    "authorization_request": 100000,
}
# The backend's JSON bodies are flat objects; nesting is only ever an attack on a parser.
MAX_JSON_DEPTH = 8
TOO_DEEP = f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep."


def text_problem(value: str) -> str | None:
    """Why `value` cannot be a parameter's text, or None."""
    if "\x00" in value:
        return "must not contain NUL characters"
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "must be valid Unicode text (it holds a lone surrogate)"
    return None


def problem(name: str, value: str) -> str | None:
    """Why parameter `name` cannot have `value`, as a sentence, or None."""
    reason = text_problem(value)
    if reason is None and len(value) > MAX_LENGTHS.get(name, len(value)):
        reason = f"must be at most {MAX_LENGTHS[name]} characters"
    return None if reason is None else f"The parameter '{name}' {reason}."


def pairs_problem(pairs: Iterable[tuple[str, str]]) -> str | None:
    """Why one of the (name, value) parameters is refused, or None."""
    for name, value in pairs:
        reason = name_problem(name) or problem(name, value)
        if reason is not None:
            return reason
    return None


def name_problem(name: str) -> str | None:
    """Why `name` cannot name a parameter, or None."""
    reason = text_problem(name)
    return None if reason is None else f"A parameter name {reason}."


def json_problem(document: Any) -> str | None:
    """Why a parsed JSON body is refused, or None: too deep, bad text, or a value too long.
    A value is checked under the name of the key that holds it, at any depth."""
    pending: list[tuple[Any, int, str | None]] = [(document, 1, None)]
    while pending:
        value, depth, name = pending.pop()
        if isinstance(value, str):
            reason = problem(name, value) if name else _unnamed(text_problem(value))
            if reason is not None:
                return reason
        elif isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                return TOO_DEEP
            if isinstance(value, list):
                pending.extend((item, depth + 1, name) for item in value)
                continue
            for key, item in value.items():
                if (reason := name_problem(key)) is not None:
                    return reason
                pending.append((item, depth + 1, key))
    return None


def _unnamed(reason: str | None) -> str | None:
    return None if reason is None else f"A string in the JSON body {reason}."
