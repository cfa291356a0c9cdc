"""How the tools built on this package (the stand-in, `liveperson-check`) take a secret without
putting it on their command line, where every local user can read it (`ps`, /proc/PID/cmdline):
from a file, from an environment variable (readable by the same user only), or typed at a hidden
prompt. A value on the command line still works, for scripts that accept the exposure.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable, Mapping

Ask = Callable[[str], str]


class SecretUnavailable(ValueError):
    """A secret file that cannot be read."""


def read_file(path: str) -> str:
    """The file's text (`-`: standard input) without one trailing newline, LF or CRLF: the
    file's, not the secret's (`echo s > f`)."""
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8", newline="") as file:
                text = file.read()
    except (OSError, UnicodeDecodeError) as error:
        raise SecretUnavailable(f"cannot read the secret file {path}: {error}") from None
    if text.endswith("\r\n"):
        return text[:-2]
    return text.removesuffix("\n")


def terminal_prompt() -> Ask | None:
    """A hidden prompt when stdin is a terminal; None otherwise (a script must not hang)."""
    return getpass.getpass if sys.stdin is not None and sys.stdin.isatty() else None


def resolve(
    *,
    value: str | None,
    file: str | None,
    environ: Mapping[str, str],
    variable: str,
    file_variable: str | None = None,
    ask: Ask | None = None,
    prompt: str = "",
) -> str | None:
    """The secret from the first source that has one: the command-line value, its file, the
    environment variable, the file the file variable names, then the prompt. None if none has."""
    if value is not None:
        return value
    if file is not None:
        return read_file(file)
    if variable in environ:
        return environ[variable]
    if file_variable is not None and file_variable in environ:
        return read_file(environ[file_variable])
    if ask is not None:
        return ask(prompt)
    return None
