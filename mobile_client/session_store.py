"""The session token, kept in the operating system's secret store through `keyring`.

On the desktop `keyring` uses the platform's store: macOS Keychain, Windows Credential Locker,
the Secret Service (GNOME Keyring, KWallet) on Linux. The token is never written to a plain
file: when no secret store exists, the token stays in memory only and the user logs in again
after a restart (`save` returns False so the app can say so).

Android route: `keyring` has no Android backend. A production Android build stores the token
with the Android Keystore instead: through `pyjnius`, generate an AES-GCM key in the
"AndroidKeyStore" provider (`KeyGenerator` + `KeyGenParameterSpec`, never exportable), encrypt
the token with it and keep only the ciphertext and IV in the app's private SharedPreferences
(or use Jetpack's `EncryptedSharedPreferences`, which does exactly that). Register that code
as a `keyring.backend.KeyringBackend` subclass and `keyring.set_keyring(...)` it at start-up:
this module stays as it is.

Secret-store calls can block (an unlock prompt, D-Bus), so the app calls them off the UI thread.
"""

from __future__ import annotations

import keyring
from keyring.errors import KeyringError, PasswordDeleteError

SERVICE = "liveperson-consumer-auth-mobile"
ENTRY = "session-token"


class SessionStore:
    def __init__(self, service: str = SERVICE, entry: str = ENTRY) -> None:
        self.service = service
        self.entry = entry
        self._memory: str | None = None  # the fallback when the OS has no secret store

    def save(self, token: str) -> bool:
        """Remember the token; False when only in memory (no secret store on this system)."""
        self._memory = token
        try:
            keyring.set_password(self.service, self.entry, token)
        except KeyringError:
            return False
        return True

    def load(self) -> str | None:
        try:
            stored = keyring.get_password(self.service, self.entry)
        except KeyringError:
            stored = None
        return stored or self._memory

    def clear(self) -> None:
        self._memory = None
        try:
            keyring.delete_password(self.service, self.entry)
        except PasswordDeleteError:
            pass  # nothing stored
        except KeyringError:
            pass  # no secret store: there was only the copy in memory
