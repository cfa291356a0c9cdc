"""Signing keys: encrypted at rest, parsed once, rotated safely (RFC 7517; OpenID Connect Core §10.1.1)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import serialization
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import make_url, select, update

import backend.keys
from backend.db import get_db
from backend.models import SigningKey
from backend.models.base import utcnow
from tests.support.backend_app import (
    CLIENT_ID,
    ISSUER,
    POPOUT_URI,
    another_process,
    bearer,
    issue_code,
    login,
    make_app,
    redeem,
    verify_id_token,
)

JWKS = "/oauth2/v3/certs"


def kid_of(token: str) -> str:
    return jwt.get_unverified_header(token)["kid"]


def jwks_kids(client: FlaskClient) -> set[str]:
    return {key["kid"] for key in client.get(JWKS).json["keys"]}


def app_jwt(client: FlaskClient, token: str | None = None) -> str:
    response = client.post("/api/liveperson/jwt", headers=bearer(token or login(client)))
    assert response.status_code == 200, response.json
    return response.json["id_token"]


def code_flow_token(client: FlaskClient) -> str:
    response = redeem(client, issue_code(client))
    assert response.status_code == 200, response.json
    return response.json["id_token"]


def implicit_token(client: FlaskClient) -> str:
    """An id_token from the pop-out window's implicit flow (response_type=id_token)."""
    login(client)  # sets the session cookie
    response = client.get("/oauth2/v3/authorize", query_string={
        "response_type": "id_token", "client_id": CLIENT_ID, "redirect_uri": POPOUT_URI,
        "scope": "openid", "nonce": "n-1",
    })
    assert response.status_code == 302, response.data
    return parse_qs(urlsplit(response.headers["Location"]).fragment)["id_token"][0]


def every_kind_of_token(client: FlaskClient) -> list[str]:
    return [code_flow_token(client), app_jwt(client), implicit_token(client)]


def rotate(app: Flask) -> str:
    """`flask rotate-keys`; returns the new kid."""
    before = key_rows(app)
    result = app.test_cli_runner().invoke(args=["rotate-keys"])
    assert result.exit_code == 0, result.output
    (new,) = set(key_rows(app)) - set(before)
    return new


def key_rows(app: Flask) -> dict[str, SigningKey]:
    with app.app_context():
        return {row.kid: row for row in get_db().scalars(select(SigningKey))}


def time_passes(app: Flask, seconds: float) -> None:
    """Pretend `seconds` passed, for the keys: every key's timestamps move back that much."""
    with app.app_context():
        db = get_db()
        for row in db.scalars(select(SigningKey)):
            row.created_at -= timedelta(seconds=seconds)
            row.activates_at -= timedelta(seconds=seconds)
        db.commit()


# -- encryption at rest ----------------------------------------------------------------


def test_private_key_is_encrypted_at_rest(app, client):
    """The signing_keys row holds no PEM and no private number in the clear."""
    token = app_jwt(client)
    with app.app_context():
        private = app.extensions["keyring"].signing_key(get_db())
    der = private.private_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    d = private.private_key.private_numbers().d
    (row,) = key_rows(app).values()
    assert row.kid == kid_of(token)
    stored = bytes(row.encrypted_private_pem)
    assert b"-----BEGIN" not in stored
    assert b"PRIVATE KEY" not in stored
    assert der not in stored
    assert d.to_bytes((d.bit_length() + 7) // 8, "big") not in stored
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(row.public_jwk)


def test_database_file_holds_no_plain_private_key(app, client, database):
    """Nothing on disk (database and WAL) contains a PEM private key."""
    if database != "sqlite":
        pytest.skip("reads the SQLite database file")
    app_jwt(client)
    database_file = Path(make_url(app.config["DATABASE_URL"]).database)
    files = list(database_file.parent.glob(database_file.name + "*"))
    assert files
    for path in files:
        assert b"PRIVATE KEY" not in path.read_bytes(), path


def test_another_secret_fails_with_a_clear_json_error(app, tmp_path):
    """A backend whose secret cannot decrypt the keys says which variable to fix, as JSON."""
    other = another_process(app, SECRET_KEY="another-secret-key").test_client()
    token = login(other)
    response = other.post("/api/liveperson/jwt", headers=bearer(token))
    assert response.status_code == 500
    assert response.is_json
    assert "BACKEND_KEY_ENCRYPTION_SECRET" in response.json["error_description"]
    assert b"Traceback" not in response.data


def test_a_failed_signature_does_not_burn_the_code(app, client, tmp_path):
    """When the token endpoint cannot sign, it answers JSON and LivePerson's code stays usable."""
    code = issue_code(client)
    other = another_process(app, SECRET_KEY="another-secret-key").test_client()
    failed = redeem(other, code)
    assert failed.status_code == 500
    assert failed.is_json
    assert "BACKEND_KEY_ENCRYPTION_SECRET" in failed.json["error_description"]
    assert redeem(client, code).status_code == 200


def test_key_encryption_secret_decouples_keys_from_secret_key(app, tmp_path):
    """BACKEND_KEY_ENCRYPTION_SECRET set to the old secret keeps the keys readable."""
    other = another_process(
        app, SECRET_KEY="another-secret-key", KEY_ENCRYPTION_SECRET="test-secret-key"
    ).test_client()
    verify_id_token(other, app_jwt(other))


# -- parsed once -----------------------------------------------------------------------


def test_private_key_is_parsed_once_per_process(app, client, monkeypatch):
    """Checklist 19: many signatures, one decryption and one key import."""
    session_token = login(client)
    calls = {"decrypt": 0, "import": 0}
    decrypt, load_pem = Fernet.decrypt, backend.keys.load_pem_private_key

    def counting_decrypt(self: Fernet, *args: Any, **kwargs: Any) -> bytes:
        calls["decrypt"] += 1
        return decrypt(self, *args, **kwargs)

    def counting_load(*args: Any, **kwargs: Any) -> Any:
        calls["import"] += 1
        return load_pem(*args, **kwargs)

    monkeypatch.setattr(Fernet, "decrypt", counting_decrypt)
    monkeypatch.setattr(backend.keys, "load_pem_private_key", counting_load)
    tokens = [app_jwt(client, session_token) for _ in range(3)]
    tokens += [code_flow_token(client) for _ in range(3)]
    tokens.append(implicit_token(client))
    assert calls == {"decrypt": 1, "import": 1}
    monkeypatch.undo()
    for token in tokens:
        verify_id_token(client, token)


# -- rotation --------------------------------------------------------------------------


def test_rotation_signs_with_the_new_key_and_keeps_the_old(app, client):
    """With KEY_REFRESH_INTERVAL=0 a rotated key signs at once; the old one stays published."""
    old_token = app_jwt(client)
    old_kid = kid_of(old_token)
    new_kid = rotate(app)
    assert new_kid != old_kid
    assert jwks_kids(client) == {old_kid, new_kid}
    for token in every_kind_of_token(client):
        assert kid_of(token) == new_kid
        verify_id_token(client, token)
    # LivePerson may still hold a token signed before the rotation.
    assert verify_id_token(client, old_token)["iss"] == ISSUER


def test_rotated_key_is_published_before_it_signs(tmp_path):
    """Checklist 20: with a refresh interval, the new key is in the JWKS at once but signs
    only from activates_at, in this process and in any other."""
    app = make_app(tmp_path, KEY_REFRESH_INTERVAL=30)
    client = app.test_client()
    old_kid = kid_of(app_jwt(client))
    new_kid = rotate(app)
    row = key_rows(app)[new_kid]
    assert row.activates_at > row.created_at
    assert jwks_kids(client) == {old_kid, new_kid}
    assert {kid_of(token) for token in every_kind_of_token(client)} == {old_kid}
    # A process started after the rotation publishes it too, and does not sign with it yet.
    fresh = another_process(app, KEY_REFRESH_INTERVAL=30).test_client()
    assert jwks_kids(fresh) == {old_kid, new_kid}
    assert kid_of(app_jwt(fresh)) == old_kid

    with app.app_context():  # the activation time has come
        db = get_db()
        db.execute(update(SigningKey).where(SigningKey.kid == new_kid)
                   .values(activates_at=utcnow()))
        db.commit()
    app.extensions["keyring"].invalidate()
    tokens = every_kind_of_token(client)
    assert {kid_of(token) for token in tokens} == {new_kid}
    later = another_process(app, KEY_REFRESH_INTERVAL=30).test_client()
    assert kid_of(app_jwt(later)) == new_kid
    assert jwks_kids(later) == {old_kid, new_kid}
    for token in tokens:
        verify_id_token(later, token)


class FakeClock:
    """Moves backend.keys' clocks (monotonic and wall) forward without sleeping."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import time

        self.offset = 0.0
        self._monotonic = time.monotonic
        monkeypatch.setattr(backend.keys, "time", SimpleNamespace(monotonic=self.monotonic))
        monkeypatch.setattr(backend.keys, "utcnow", self.utcnow)

    def monotonic(self) -> float:
        return self._monotonic() + self.offset

    def utcnow(self) -> Any:
        return utcnow() + timedelta(seconds=self.offset)


def test_no_served_jwks_outlives_the_rotation_delay(tmp_path, monkeypatch):
    """Checklist 20 across processes: a JWKS that lacks the rotated key must expire from
    verifiers' caches (max-age) before that key signs, or LivePerson meets an unknown kid."""
    interval = 30
    app = make_app(tmp_path, KEY_REFRESH_INTERVAL=interval)
    clock = FakeClock(monkeypatch)
    other = another_process(app, KEY_REFRESH_INTERVAL=interval).test_client()
    assert other.get(JWKS).status_code == 200  # the other process has read the key list
    new_kid = rotate(app)
    for offset in (0, 10, interval - 1):
        clock.offset = offset
        response = other.get(JWKS)
        if new_kid not in {key["kid"] for key in response.json["keys"]}:
            assert offset + response.cache_control.max_age <= interval, (
                f"a JWKS served {offset}s after the rotation lacks the new key and may be "
                f"cached for {response.cache_control.max_age}s"
            )
    clock.offset = interval
    assert kid_of(app_jwt(app.test_client())) == new_kid
    assert kid_of(app_jwt(other)) == new_kid


def test_retired_key_leaves_the_jwks_once_its_tokens_expired(app, client):
    """Checklist 20: the old key stays while a token it signed may be valid, then goes."""
    lifetime = app.config["ID_TOKEN_LIFETIME"]
    old_kid = kid_of(app_jwt(client))
    new_kid = rotate(app)
    time_passes(app, lifetime - 60)  # the last old-key token still has a minute
    assert jwks_kids(client) == {old_kid, new_kid}
    time_passes(app, 61)  # now every old-key token has expired
    assert jwks_kids(client) == {new_kid}
    assert kid_of(app_jwt(client)) == new_kid


def test_retirement_waits_for_the_refresh_interval_too(tmp_path):
    """A process may sign with the old key until it refreshes: keep it that much longer."""
    app = make_app(tmp_path, KEY_REFRESH_INTERVAL=30)
    client = app.test_client()
    old_kid = kid_of(app_jwt(client))
    new_kid = rotate(app)
    lifetime = app.config["ID_TOKEN_LIFETIME"]
    time_passes(app, 30 + lifetime + 10)  # activated lifetime + 10 s ago
    app.extensions["keyring"].invalidate()
    assert jwks_kids(client) == {old_kid, new_kid}
    time_passes(app, 30)
    app.extensions["keyring"].invalidate()
    assert jwks_kids(client) == {new_kid}


def test_every_id_token_kid_is_in_the_jwks(app, client):
    """Checklist 18: code flow, app JWT and implicit tokens all name a published kid."""
    for _ in range(2):
        published = jwks_kids(client)
        for token in every_kind_of_token(client):
            assert kid_of(token) in published
        rotate(app)
