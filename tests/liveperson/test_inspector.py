"""The inspector as a developer reads it in a browser: what each passed lp-sdes check found, in
liveperson-check's words, and LivePerson's JWE key only where the brand encrypts to it (the
implicit flow with JWE on). Tokens are signed with a pasted key, so no brand is needed."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from flask import Flask
from playwright.sync_api import BrowserContext, Locator, Page

from backend.protocol import nested_jwe
from shared import contract
from shared.liveperson import create_app
from shared.liveperson.settings import StandInSettings, from_arguments
from shared.validation.authenticate import Settings as ValidationSettings
from tests.support.browser import Shots
from tests.support.servers import Serving

ISSUER = "https://brand.example"
BRAND_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PASTED = base64.b64encode(
    BRAND_KEY.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
).decode()
SDES = [
    {"type": "ctmrinfo", "info": {"customerId": "C-7", "ctype": "vip"}},
    {"type": "personal", "personal": {"firstname": "Casey"}},
]


def stand_in(folder: Path, flow: str = "implicit", jwe: bool = False) -> Flask:
    validation = ValidationSettings(issuer=ISSUER, public_key=PASTED, jwe=jwe)
    return create_app(StandInSettings(validation=validation, flow=flow, instance_folder=folder))


def signed(**claims: Any) -> str:
    now = int(time.time())
    return jwt.encode({"iss": ISSUER, "sub": "casey", "iat": now, "exp": now + 300, **claims},
                      BRAND_KEY, algorithm="RS256")


def authenticate(app: Flask, token: str) -> None:
    answer = app.test_client().post(f"/api/account/{contract.STANDIN_ACCOUNT}/authenticate",
                                    json={"authCode": token})
    assert answer.status_code == 200, answer.get_data(as_text=True)


@contextmanager
def inspector(context: BrowserContext, app: Flask, shots: Shots, step: str) -> Iterator[Page]:
    """The page, open while the stand-in serves it (it reloads itself every 10 s)."""
    with Serving(app) as served:
        page = context.new_page()
        page.goto(served.url + "/inspector")
        shots.take(page, step)
        yield page


def cells(rows: Locator) -> list[list[str]]:
    """Each row's cells, as the browser shows them."""
    return [[cell.strip() for cell in row.inner_text().split("\t")] for row in rows.all()]


def test_each_passed_lp_sdes_check_says_what_it_found(context, tmp_path, shots):
    app = stand_in(tmp_path)
    authenticate(app, signed())
    authenticate(app, signed(lp_sdes=SDES))
    with inspector(context, app, shots, "lp-sdes-two") as page:
        rows = cells(page.get_by_test_id("exchange").locator("tr", has_text="lp-sdes"))
        page.get_by_test_id("exchange").last.scroll_into_view_if_needed()
        shots.take(page, "lp-sdes-absent")
    # Newest first: the token with two SDEs, then the one without lp_sdes.
    assert rows == [
        ["PASS", "lp-sdes", "lp_sdes: an array of 2 SDEs (ctmrinfo, personal)."],
        ["PASS", "lp-sdes", "lp_sdes: absent."],
    ]


@pytest.mark.parametrize(("flow", "jwe", "shown"), [
    ("code", False, "code"),
    ("implicit", False, "implicit"),
    ("implicit", True, "implicit, JWE"),
], ids=["code", "implicit", "implicit-jwe"])
def test_the_jwe_key_is_shown_only_for_the_implicit_flow_with_jwe(context, tmp_path, shots, flow, jwe, shown):
    app = stand_in(tmp_path, flow, jwe)
    keys = app.extensions["encryption"]
    if jwe:  # what the brand's backend sends once it is given the key the inspector shows
        recipient = nested_jwe.load_public_key(keys.public_spki_base64(), keys.kid)
        authenticate(app, nested_jwe.encrypt(signed(lp_sdes=SDES), recipient, "A256GCM"))
    with inspector(context, app, shots, f"{flow}-flow{'-jwe' if jwe else ''}") as page:
        configured = cells(page.locator("section").first.locator("tr"))
        checks = cells(page.get_by_test_id("exchange").locator("tr"))
    assert ["Flow", shown] in configured
    key_rows = [row for row in configured if row[0].startswith("JWE public key")]
    assert key_rows == ([[f"JWE public key (kid {keys.kid})", keys.public_spki_base64()]] if jwe else [])
    if jwe:
        assert checks[0] == ["PASS", "jwe", "The JWE decrypted with LivePerson's key."]


def test_jwe_with_the_code_flow_is_refused_at_the_start(capsys):
    with pytest.raises(SystemExit):
        from_arguments(["--issuer", ISSUER, "--jwe"], ask=lambda _: "")
    assert "add --flow implicit" in capsys.readouterr().err
    _, settings = from_arguments(["--issuer", ISSUER, "--jwe", "--flow", "implicit"], ask=lambda _: "")
    assert settings.validation.jwe
