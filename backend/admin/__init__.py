"""What the brand's operator does, behind `flask --app backend ...` (`backend/cli.py`): create
customers and clients, purge what expired. Plain functions over a database session; a refusal
is `Refused`, which names the option at fault, and nothing is written then."""

from __future__ import annotations


class Refused(ValueError):
    """`option` is the option at fault, or None when no option is (the thing already exists)."""

    def __init__(self, option: str | None, message: str) -> None:
        super().__init__(message)
        self.option = option
        self.message = message
