"""The brand's tokens sealed at rest. LivePerson keeps delegated tokens "in LivePerson's secured
storage" ("Consumer Delegation: How It Works"); the stand-in's database holds them only as
Fernet tokens (`cryptography`: AES-128-CBC and HMAC-SHA256), whose key is a file of its own in the
instance folder, readable by its owner only. A copy of the database without the key reveals no
token, and a changed key makes the old ones unreadable rather than wrong (`Unreadable`).

Plain Python: no Flask.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from shared.liveperson.private_files import read_or_create

KEY_FILE = "delegation-key"


class Unreadable(Exception):
    """Sealed with another key, or altered."""


class Sealer:
    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    @classmethod
    def in_folder(cls, folder: Path) -> Sealer:
        """With the key of `folder`, made on first start."""
        return cls(read_or_create(folder / KEY_FILE, Fernet.generate_key))

    def seal(self, value: dict[str, Any]) -> str:
        return self._fernet.encrypt(json.dumps(value).encode()).decode("ascii")

    def open(self, sealed: str) -> dict[str, Any]:
        try:
            value = json.loads(self._fernet.decrypt(sealed))
        except InvalidToken:
            raise Unreadable("not sealed with this key") from None
        assert isinstance(value, dict)
        return value
