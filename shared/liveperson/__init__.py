"""A local stand-in for LivePerson's side: its IdP authenticates consumers against the brand's
backend exactly as LivePerson does, its messaging service holds their conversations over
LivePerson's consumer WebSocket API, an agent workspace answers them, an inspector shows every
exchange with the brand, and it serves the Web SDK tag and the pop-out window. Consumer
Delegation keeps the brand's tokens for its bots (`delegation/`), and a demo bot uses them (`bot/`)."""

from __future__ import annotations

import secrets
import uuid
from pathlib import Path

from flask import Flask

from shared.liveperson import (
    agent,
    api,
    bot,
    delegation,
    headers,
    idp,
    inspector,
    messaging,
    private_views,
    web_sdk,
)
from shared.liveperson.delegation.sealing import Sealer
from shared.liveperson.delegation.sentinel import AppTokens
from shared.liveperson.delegation.tokens import DelegatedTokens
from shared.liveperson.delegation.verification import Verifications
from shared.liveperson.exchanges import ExchangeLog
from shared.liveperson.idp.consumer_token import ConsumerTokens
from shared.liveperson.messaging.hub import Hub
from shared.liveperson.private_files import read_or_create
from shared.liveperson.settings import APP_SECRET_FILE, StandInSettings
from shared.liveperson.store import Store
from shared.validation.authenticate import Authenticator
from shared.validation.jwe import EncryptionKeyPair


def create_app(settings: StandInSettings) -> Flask:
    app = Flask(__name__, static_folder=None)  # the web_sdk blueprint serves its own files
    encryption = _encryption_keys(settings.jwe_key_file)
    folder = settings.instance_folder
    authenticator = Authenticator(settings.validation, encryption)
    exchanges = ExchangeLog()
    store = Store.in_folder(folder)
    sealer = Sealer.in_folder(folder)
    app.extensions.update(
        standin=settings,
        encryption=encryption,
        authenticator=authenticator,
        exchanges=exchanges,
        store=store,
        hub=Hub(),
        consumer_tokens=ConsumerTokens.in_folder(folder, settings.account),
        delegated_tokens=DelegatedTokens(store, sealer, authenticator, exchanges),
        verifications=Verifications(store, sealer, authenticator, settings),
        app_tokens=AppTokens.in_folder(
            folder, settings.account, settings.app_client_id, _app_secret(settings)
        ),
    )
    # The one agent of the stand-in's workspace, with a participant id as LivePerson gives one.
    agent_id = uuid.uuid5(uuid.NAMESPACE_URL, f"liveperson-stand-in/{settings.account}/agent")
    app.extensions["agent_id"] = str(agent_id)
    headers.init_app(app)
    private_views.init_app(app)
    messaging.init_app(app)
    bot.init_app(app)
    for module in (api, idp, agent, inspector, web_sdk, delegation):
        app.register_blueprint(module.bp)
    return app


def _app_secret(settings: StandInSettings) -> str:
    """The app installation's secret as given, else the one made in the instance folder."""
    if settings.app_client_secret is not None:
        return settings.app_client_secret
    path = settings.instance_folder / APP_SECRET_FILE
    return read_or_create(path, lambda: secrets.token_urlsafe(32).encode()).decode()


def _encryption_keys(path: Path | None) -> EncryptionKeyPair:
    """The key pair whose public half the brand configures for JWE; kept in a file when one is
    given, so a restart does not invalidate what the brand configured."""
    if path is None:
        return EncryptionKeyPair.generate()
    pem = read_or_create(path, lambda: EncryptionKeyPair.generate().private_pem())
    return EncryptionKeyPair.from_pem(pem)
