"""`AuthenticationParams`: the three kinds build, obviously wrong input is refused when built;
`get_pkce_params`: the SDK's own verifier and its S256 challenge."""

from __future__ import annotations

import dataclasses

import pytest

from shared import pkce
from shared.messaging_sdk import AuthenticationParams, AuthType, get_pkce_params

REDIRECT = "https://liveperson.net"
VERIFIER = "v" * 43
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"


def test_code_flow():
    params = AuthenticationParams.code("the-code", REDIRECT, VERIFIER)
    assert (params.type, params.flow) == (AuthType.AUTH, "code")
    assert (params.auth_key, params.host_app_redirect_uri, params.code_verifier) == (
        "the-code",
        REDIRECT,
        VERIFIER,
    )
    assert params.host_app_jwt is None


def test_a_verifier_longer_than_128_characters_is_carried_as_the_backend_accepts_it():
    """LivePerson's own verifiers exceed RFC 7636's 128 characters; the backend accepts up to
    1024 (shared/pkce.py), and so must the SDK, or it refuses codes the backend would redeem."""
    assert AuthenticationParams.code("c", REDIRECT, "v" * 1024).code_verifier == "v" * 1024


def test_implicit_flow_with_a_signed_or_an_encrypted_jwt():
    assert AuthenticationParams.jwt(JWT).flow == "implicit"
    assert AuthenticationParams.jwt("h.k.iv.ct.tag").host_app_jwt == "h.k.iv.ct.tag"


def test_step_up_and_the_issuers_name_go_with_either_flow():
    by_code = AuthenticationParams.code("c", REDIRECT, perform_step_up=True, issuer_display_name="Brand")
    by_jwt = AuthenticationParams.jwt(JWT, perform_step_up=True)
    assert (by_code.perform_step_up, by_code.issuer_display_name) == (True, "Brand")
    assert (by_jwt.perform_step_up, by_jwt.flow) == (True, "implicit")
    assert AuthenticationParams.code("c", REDIRECT).perform_step_up is False


def test_pkce_params_are_made_by_the_sdk_for_the_app():
    """Android's `LivePerson.getPKCEParams()`: a fresh verifier each time, its S256 challenge."""
    first, second = get_pkce_params(), get_pkce_params()
    assert first.code_verifier != second.code_verifier
    assert first.code_challenge_method == "S256"
    assert first.code_challenge == pkce.s256(first.code_verifier)
    assert pkce.verifier_well_formed(first.code_verifier)
    assert pkce.challenge_well_formed(first.code_challenge)
    assert first.code_verifier not in repr(first)
    assert AuthenticationParams.code("c", REDIRECT, first.code_verifier).code_verifier == first.code_verifier


def test_unauthenticated():
    params = AuthenticationParams.unauthenticated()
    assert (params.type, params.flow, params.auth_key, params.host_app_jwt) == (
        AuthType.UN_AUTH,
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("build", "complaint"),
    [
        (lambda: AuthenticationParams.code("", REDIRECT), "auth_key must be a non-empty string"),
        (lambda: AuthenticationParams.code("   ", REDIRECT), "auth_key must be a non-empty string"),
        (lambda: AuthenticationParams.code("c", ""), "host_app_redirect_uri must be a non-empty"),
        (lambda: AuthenticationParams.code("c", REDIRECT, ""), "code_verifier must be a non-empty"),
        (lambda: AuthenticationParams.code("c", REDIRECT, "short"), "RFC 7636"),
        (lambda: AuthenticationParams.code("c", REDIRECT, "é" * 43), "RFC 7636"),
        (lambda: AuthenticationParams.code("c", REDIRECT, "v" * 1025), "RFC 7636"),
        (lambda: AuthenticationParams.jwt(""), "host_app_jwt must be a non-empty string"),
        (lambda: AuthenticationParams.jwt("not-a-jwt"), "not a compact JWT"),
        (lambda: AuthenticationParams(AuthType.AUTH, auth_key="c", host_app_jwt=JWT), "not both"),
        (lambda: AuthenticationParams(AuthType.AUTH), "needs a code"),
        (lambda: AuthenticationParams(AuthType.AUTH, auth_key="c"), "redirect URI"),
        (lambda: AuthenticationParams(AuthType.AUTH, host_app_jwt=JWT, code_verifier=VERIFIER), "code flow"),
        (lambda: AuthenticationParams(AuthType.UN_AUTH, host_app_jwt=JWT), "takes no host_app_jwt"),
        (lambda: AuthenticationParams(AuthType.UN_AUTH, auth_key="c"), "takes no auth_key"),
        (lambda: AuthenticationParams(AuthType.UN_AUTH, perform_step_up=True), "takes no perform_step_up"),
        (lambda: AuthenticationParams.jwt(JWT, issuer_display_name=""), "issuer_display_name must be"),
        (lambda: AuthenticationParams("AUTH", auth_key="c", host_app_redirect_uri=REDIRECT), "AuthType"),
        (lambda: AuthenticationParams.code(b"c", REDIRECT), "auth_key must be a non-empty string"),
    ],
)
def test_obviously_wrong_input_is_refused(build, complaint):
    with pytest.raises(ValueError, match=complaint):
        build()


def test_secrets_stay_out_of_repr():
    text = repr(AuthenticationParams.code("secret-code", REDIRECT, VERIFIER)) + repr(
        AuthenticationParams.jwt(JWT)
    )
    assert "secret-code" not in text and VERIFIER not in text and JWT not in text
    assert REDIRECT in text


def test_params_are_immutable():
    params = AuthenticationParams.jwt(JWT)
    with pytest.raises(dataclasses.FrozenInstanceError):
        params.host_app_jwt = "other"  # type: ignore[misc]
