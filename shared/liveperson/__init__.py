"""A local stand-in for LivePerson's side: it authenticates conversations against the brand's
backend exactly as LivePerson does, shows every exchange in an inspector, and serves the Web
SDK tag and the pop-out window the brand's pages use."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from shared.liveperson import api, headers, inspector, web_sdk
from shared.liveperson.conversations import Conversations
from shared.liveperson.settings import StandInSettings
from shared.validation.authenticate import Authenticator
from shared.validation.jwe import EncryptionKeyPair


def create_app(settings: StandInSettings) -> Flask:
    app = Flask(__name__, static_folder=None)  # the web_sdk blueprint serves its own files
    encryption = _encryption_keys(settings.jwe_key_file)
    app.extensions["standin"] = settings
    app.extensions["encryption"] = encryption
    app.extensions["authenticator"] = Authenticator(settings.validation, encryption)
    app.extensions["conversations"] = Conversations()
    headers.init_app(app)
    for module in (api, inspector, web_sdk):
        app.register_blueprint(module.bp)
    return app


def _encryption_keys(path: Path | None) -> EncryptionKeyPair:
    """The key pair whose public half the brand configures for JWE; kept in a file when one is
    given, so a restart does not invalidate what the brand configured."""
    if path is None:
        return EncryptionKeyPair.generate()
    if path.exists():
        return EncryptionKeyPair.from_pem(path.read_bytes())
    keys = EncryptionKeyPair.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(keys.private_pem())
    path.chmod(0o600)
    return keys
