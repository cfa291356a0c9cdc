"""Every setting of the backend, its default, and the environment variable that overrides it.

This is the one place defaults live; docs/configuration.md's table is generated from
`SETTINGS` by `flask --app backend settings`, so the two cannot drift apart.
Each setting `NAME` is read from the environment variable `BACKEND_NAME`.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared import contract


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str

    @property
    def env(self) -> str:
        return f"BACKEND_{self.name}"


SETTINGS: tuple[Setting, ...] = (
    Setting("ISSUER", "http://127.0.0.1:8000",
            "OpenID issuer: the exact URL LivePerson is configured with. Never taken from the "
            "request, so a proxy or a forged Host header cannot change it."),
    Setting("DATABASE_URL", None,
            "Any SQLAlchemy URL; default SQLite file `backend.sqlite3` in the instance folder."),
    Setting("SECRET_KEY", None,
            "Signs the session cookie. Default: generated once into the instance folder."),
    Setting("KEY_ENCRYPTION_SECRET", None,
            "Encrypts the private signing keys at rest. Default: the SECRET_KEY."),
    Setting("CODE_LIFETIME", 60, "Seconds an authorization code can be redeemed."),
    Setting("ACCESS_TOKEN_LIFETIME", 3600, "Seconds an access token is valid (`expires_in`)."),
    Setting("ID_TOKEN_LIFETIME", 3600,
            "Seconds an id_token is valid; LivePerson asks for a new one when it expires."),
    Setting("REFRESH_TOKEN_LIFETIME", 7 * 24 * 3600,
            "Seconds a refresh token (Consumer Delegation) can be used. Each refresh returns a new "
            "one, valid this long again, so a grant lives while it is used (RFC 9700 §4.14.2)."),
    Setting("SESSION_LIFETIME", 7 * 24 * 3600, "Seconds a login session (cookie or app token) lasts."),
    Setting("KEY_REFRESH_INTERVAL", 30,
            "Seconds a process trusts its cached key list; a rotated key starts signing this "
            "long after it is published, so every process publishes it first."),
    Setting("LOGIN_WINDOW", 900, "Seconds over which failed logins are counted."),
    Setting("LOGIN_MAX_FAILURES_PER_ACCOUNT", 5,
            "Failed logins per account in the window from browsers and apps that have not logged "
            "in to it before; past it only those are refused, and the customer's known ones "
            "still get in."),
    Setting("LOGIN_MAX_FAILURES_PER_DEVICE", 5,
            "Failed logins in the window from one known browser or app (one device token)."),
    Setting("LOGIN_MAX_FAILURES_PER_ADDRESS", 20,
            "Failed logins per client address in the window, from browsers and apps that have "
            "not logged in to the account before."),
    Setting("DEVICE_LIFETIME", 180 * 24 * 3600,
            "Seconds a device token, the proof of a successful login that browsers (a cookie) "
            "and apps keep, is recognised."),
    Setting("LIVEPERSON_CLIENT_ID", "liveperson-demo",
            "The client that `/api/liveperson/code` issues codes for."),
    Setting("LIVEPERSON_JS_METHOD", contract.JS_METHOD,
            "Name of the page's JavaScript authentication method, as entered in LivePerson."),
    Setting("LIVEPERSON_JWE_PUBLIC_KEY", None,
            "LivePerson's encryption public key (PEM, or one-line base64 SPKI). When set, "
            "`/api/liveperson/jwt` returns a nested JWE."),
    Setting("LIVEPERSON_JWE_KID", None, "The key id LivePerson published with that key."),
    Setting("LIVEPERSON_JWE_ENC", "A256GCM", "JWE content encryption: A256GCM or A128CBC-HS256."),
    Setting("CORS_ORIGINS", "http://127.0.0.1:8001",
            "Comma-separated origins of the brand's web pages allowed to call `/api/` with the "
            "login cookie (the demo web client by default). Each origin is matched exactly; `*` "
            "admits no one."),
    Setting("BRAND_NAME", "Example Brand",
            "The brand's name, in the header of the pages customers see (the login page, also "
            "inside LivePerson's pop-out window); `liveperson-config` offers it as LivePerson's "
            "Issuer Display Name."),
    Setting("BRAND_COLOR", "#1d2733", "The header's colour on those pages: `#rgb` or `#rrggbb`."),
    Setting("BRAND_ACCENT", "#1a5fb4", "The buttons' and links' colour: `#rgb` or `#rrggbb`."),
    Setting("LOGIN_HINT", None,
            "A line under the login form, such as the demo account's credentials (`bin/demo` "
            "sets it); none by default."),
    Setting("PROXY_HOPS", 0,
            "Number of trusted reverse proxies in front of the app (X-Forwarded-For/-Proto)."),
    # Read by gunicorn.conf.py, not by the app.
    Setting("BIND", "127.0.0.1:8000", "Where gunicorn listens (`host:port`)."),
    Setting("WORKERS", 2, "Gunicorn worker processes; one per core."),
    Setting("ACCESS_LOG", None,
            "Gunicorn's access log: `-` for standard output, or a file. Off by default: the proxy "
            "in front keeps one, and gunicorn's own costs 5% of a code exchange."),
)
_BY_NAME = {setting.name: setting for setting in SETTINGS}


def value(name: str) -> Any:
    """Setting `name` from its `BACKEND_*` variable, else its default; gunicorn.conf.py reads
    the serving settings this way too."""
    setting = _BY_NAME[name]
    raw = os.environ.get(setting.env)
    if raw is None:
        return setting.default
    if isinstance(setting.default, int):
        if not (raw.isascii() and raw.isdigit()):
            raise SystemExit(f"{setting.env} must be a whole number of 0 or more, got {raw!r}")
        return int(raw)
    return raw


def load(instance_path: Path, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Flask config keys: defaults, then `BACKEND_*` variables, then `overrides` (tests)."""
    config: dict[str, Any] = {setting.name: value(setting.name) for setting in SETTINGS}
    config.update(overrides or {})
    config["ISSUER"] = config["ISSUER"].rstrip("/")
    if config["DATABASE_URL"] is None:
        config["DATABASE_URL"] = f"sqlite:///{instance_path / 'backend.sqlite3'}"
    if config["SECRET_KEY"] is None:
        config["SECRET_KEY"] = _instance_secret(instance_path)
    return config


def _instance_secret(instance_path: Path) -> str:
    """A random secret kept in the instance folder, so restarts keep sessions and keys readable."""
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        # Workers start at once: each writes a whole secret under a name of its own, then links
        # it to `path`. A link never replaces a file, so exactly one wins, and `path` only ever
        # appears with a whole secret behind it.
        draft = instance_path / f".secret_key.{os.getpid()}.{secrets.token_hex(8)}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as file:
                file.write(secrets.token_urlsafe(48))
                file.flush()
                os.fsync(file.fileno())  # on disk before the name points at it (a crash)
            os.link(draft, path)
        except FileExistsError:
            pass  # another worker's secret is in place: it is the one read below
        finally:
            os.unlink(draft)
    secret = path.read_text().strip()
    if not secret:
        # Left by an older version that could stop between creating the file and writing it.
        raise SystemExit(f"{path} is empty: delete it and a new secret is generated "
                         "(sessions signed with the old one end).")
    return secret
