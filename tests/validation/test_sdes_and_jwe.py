"""Engagement attributes from lp_sdes, and decryption of a nested JWE with LivePerson's key."""

from __future__ import annotations

import pytest
from joserfc import jwe
from joserfc.jwk import RSAKey

from shared.validation.errors import ValidationFailure
from shared.validation.jwe import EncryptionKeyPair, is_jwe
from shared.validation.sdes import engagement_attributes, found

CTMRINFO = {"type": "ctmrinfo", "info": {"ctype": "vip", "balance": -400.99}}
PERSONAL = {"type": "personal", "personal": {"firstname": "John", "age": {"age": 34}}}


def test_standard_claims_and_sdes_become_engagement_attributes():
    attributes = engagement_attributes(
        {
            "sub": "c-1",
            "given_name": "Jo",
            "family_name": "Doe",
            "email": "jo@example.com",
            "phone_number": "+1-555-0100",
            "preferred_username": "jo",
            "lp_sdes": [CTMRINFO, PERSONAL],
        }
    )
    assert attributes["customerInfo"] == {
        "customerId": "c-1",
        "userName": "jo",
        "ctype": "vip",
        "balance": -400.99,
    }
    assert attributes["personalInfo"]["firstname"] == "John"  # the SDE refines the claim
    assert attributes["personalInfo"]["lastname"] == "Doe"
    assert attributes["personalInfo"]["contacts"] == [{"email": "jo@example.com", "phone": "+1-555-0100"}]


@pytest.mark.parametrize(
    ("sdes", "word"),
    [
        ({"ctmrinfo": CTMRINFO["info"]}, "array"),  # the object shape one public sample emits
        ("ctmrinfo", "array"),
        ([{"type": "purchase", "info": {}}], "purchase"),
        ([{"info": {}}], "None"),
        ([{"type": "personal", "personal": "John"}], "object"),
    ],
)
def test_malformed_sdes_are_reported(sdes, word):
    with pytest.raises(ValidationFailure) as raised:
        engagement_attributes({"sub": "c-1", "lp_sdes": sdes})
    assert raised.value.check == "lp-sdes"
    assert word in raised.value.message


@pytest.mark.parametrize(
    ("claims", "said"),
    [
        ({}, "lp_sdes: absent."),
        ({"lp_sdes": []}, "lp_sdes: an array of 0 SDEs."),
        ({"lp_sdes": [PERSONAL]}, "lp_sdes: an array of 1 SDE (personal)."),
        ({"lp_sdes": [CTMRINFO, PERSONAL]}, "lp_sdes: an array of 2 SDEs (ctmrinfo, personal)."),
    ],
)
def test_a_passed_check_says_what_it_found(claims, said):
    assert found({"sub": "c-1", **claims}) == said


def test_a_null_lp_sdes_is_refused_as_liveperson_check_refuses_it():
    """One rule for the stand-in and liveperson-check: a claim present must be an array."""
    for read in (found, engagement_attributes):
        with pytest.raises(ValidationFailure) as raised:
            read({"sub": "c-1", "lp_sdes": None})
        assert raised.value.check == "lp-sdes"


@pytest.fixture(scope="module")
def keys() -> EncryptionKeyPair:
    return EncryptionKeyPair.generate()


def encrypt(keys: EncryptionKeyPair, plaintext: str, enc: str = "A256GCM", **header: str) -> str:
    public = RSAKey.import_key(keys.public_pem(), {"use": "enc"})
    protected = {"alg": "RSA-OAEP-256", "enc": enc, "cty": "JWT", "kid": keys.kid, **header}
    return jwe.encrypt_compact(protected, plaintext, public, algorithms=["RSA-OAEP-256", enc])


@pytest.mark.parametrize("enc", ["A256GCM", "A128CBC-HS256"])
def test_nested_jwe_decrypts_to_the_signed_jwt(keys, enc):
    token = encrypt(keys, "header.claims.signature", enc)
    assert is_jwe(token) and not is_jwe("header.claims.signature")
    assert keys.decrypt(token) == "header.claims.signature"


def test_a_key_file_reloads_the_same_key_and_kid(keys):
    again = EncryptionKeyPair.from_pem(keys.private_pem())
    assert again.kid == keys.kid
    assert again.decrypt(encrypt(keys, "a.b.c")) == "a.b.c"


def test_jwe_for_another_key_is_1004(keys):
    other = EncryptionKeyPair.generate()
    with pytest.raises(ValidationFailure) as raised:
        keys.decrypt(encrypt(other, "a.b.c", kid=keys.kid))
    assert (raised.value.check, raised.value.error.code) == ("jwe", "1004")


def test_unsupported_enc_is_named(keys):
    token = encrypt(keys, "a.b.c", "A128GCM")
    with pytest.raises(ValidationFailure) as raised:
        keys.decrypt(token)
    assert "A128GCM" in raised.value.message
