"""A local stand-in for LivePerson's side: its IdP authenticates consumers against the brand's
backend exactly as LivePerson does, its messaging service holds their conversations over
LivePerson's consumer WebSocket API, an agent workspace answers them, an inspector shows every
exchange with the brand, and it serves the Web SDK tag and the pop-out window."""

from __future__ import annotations

import uuid
from pathlib import Path

from flask import Flask

from shared.liveperson import agent, api, headers, idp, inspector, messaging, web_sdk
from shared.liveperson.exchanges import ExchangeLog
from shared.liveperson.idp.consumer_token import ConsumerTokens
from shared.liveperson.messaging.hub import Hub
from shared.liveperson.settings import StandInSettings
from shared.liveperson.store import Store
from shared.validation.authenticate import Authenticator
from shared.validation.jwe import EncryptionKeyPair


def create_app(settings: StandInSettings) -> Flask:
    app = Flask(__name__, static_folder=None)  # the web_sdk blueprint serves its own files
    encryption = _encryption_keys(settings.jwe_key_file)
    app.extensions["standin"] = settings
    app.extensions["encryption"] = encryption
    app.extensions["authenticator"] = Authenticator(settings.validation, encryption)
    app.extensions["exchanges"] = ExchangeLog()
    app.extensions["store"] = Store.in_folder(settings.instance_folder)
    app.extensions["hub"] = Hub()
    app.extensions["consumer_tokens"] = ConsumerTokens.in_folder(settings.instance_folder, settings.account)
    # The one agent of the stand-in's workspace, with a participant id as LivePerson gives one.
    agent_id = uuid.uuid5(uuid.NAMESPACE_URL, f"liveperson-stand-in/{settings.account}/agent")
    app.extensions["agent_id"] = str(agent_id)
    headers.init_app(app)
    messaging.init_app(app)
    for module in (api, idp, agent, inspector, web_sdk):
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
