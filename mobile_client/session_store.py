"""The session token and the device token, kept in the operating system's secret store
through `keyring`.

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
# The backend's proof that this app has logged in to the account before: logins that carry it
# are not refused when someone else's wrong passwords lock the account to unknown devices
# (backend/login/throttle.py). It outlives the session, so a logout keeps it.
DEVICE_ENTRY = "device-token"


class SessionStore:
    def __init__(self, service: str = SERVICE, entry: str = ENTRY,
                 device_entry: str = DEVICE_ENTRY) -> None:
        self.service = service
        self.entry = entry
        self.device_entry = device_entry
        self._memory: dict[str, str] = {}  # the fallback when the OS has no secret store

    def save(self, token: str, device_token: str | None = None) -> bool:
        """Remember the session token (and the device token, when the backend gave one);
        False when only in memory (no secret store on this system)."""
        kept = self._set(self.entry, token)
        if device_token is not None:
            kept = self._set(self.device_entry, device_token) and kept
        return kept

    def load(self) -> str | None:
        return self._get(self.entry)

    def device_token(self) -> str | None:
        return self._get(self.device_entry)

    def clear(self) -> None:
        """Forget the session token; the device token stays."""
        self._memory.pop(self.entry, None)
        try:
            keyring.delete_password(self.service, self.entry)
        except PasswordDeleteError:
            pass  # nothing stored
        except KeyringError:
            pass  # no secret store: there was only the copy in memory

    def _set(self, entry: str, value: str) -> bool:
        self._memory[entry] = value
        try:
            keyring.set_password(self.service, entry, value)
        except KeyringError:
            return False
        return True

    def _get(self, entry: str) -> str | None:
        try:
            stored = keyring.get_password(self.service, entry)
        except KeyringError:
            stored = None
        return stored or self._memory.get(entry)
