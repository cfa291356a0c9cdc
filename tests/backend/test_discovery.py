"""OpenID Connect Discovery 1.0 §3-§4 and the JWKS it points to (RFC 7517 §5)."""

from __future__ import annotations

import jwt
import pytest

from tests.support.backend_app import ISSUER, issue_code, make_app, redeem

DISCOVERY = "/.well-known/openid-configuration"
PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi")


def path_of(url: str) -> str:
    assert url.startswith(ISSUER + "/"), url
    return url[len(ISSUER):]


@pytest.fixture
def document(client):
    response = client.get(DISCOVERY)
    assert response.status_code == 200
    assert response.is_json
    return response.json


def test_every_required_field_is_present(document):
    """Discovery §3: every field LivePerson and conformance tools read is there."""
    required = {
        "issuer", "authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri",
        "response_types_supported", "subject_types_supported",
        "id_token_signing_alg_values_supported", "scopes_supported",
        "token_endpoint_auth_methods_supported", "code_challenge_methods_supported",
        "claims_supported", "grant_types_supported",
    }
    assert required <= set(document)


def test_issuer_is_the_configured_issuer(document):
    """Checklist 22: `issuer` equals BACKEND_ISSUER exactly (LivePerson compares case-sensitively)."""
    assert document["issuer"] == ISSUER


@pytest.mark.parametrize("host", ["attacker.example", "127.0.0.1:8000", "BRAND.EXAMPLE"])
def test_issuer_ignores_the_host_header(client, host):
    """Discovery §4.3: the issuer and endpoint URLs come from configuration, never from Host."""
    document = client.get(DISCOVERY, headers={"Host": host}).json
    assert document["issuer"] == ISSUER
    for name in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri"):
        assert document[name].startswith(ISSUER + "/"), document[name]


def test_issuer_ignores_forwarded_headers(tmp_path):
    """Behind a trusted proxy (PROXY_HOPS=1), X-Forwarded-Host/-Proto cannot change the issuer."""
    client = make_app(tmp_path, PROXY_HOPS=1).test_client()
    headers = {"X-Forwarded-Host": "attacker.example", "X-Forwarded-Proto": "http"}
    document = client.get(DISCOVERY, headers=headers).json
    assert document["issuer"] == ISSUER
    assert document["token_endpoint"] == ISSUER + "/oauth2/v3/token"


def test_endpoints_are_served_under_the_issuer(client, document):
    """Each advertised endpoint is an issuer URL that this backend really serves."""
    assert client.get(path_of(document["jwks_uri"])).status_code == 200
    # Without credentials the token endpoint answers invalid_client, not 404.
    token = client.post(path_of(document["token_endpoint"]), data={"grant_type": "x"})
    assert token.status_code == 401
    assert token.json["error"] == "invalid_client"
    assert client.get(path_of(document["userinfo_endpoint"])).status_code == 401
    authorize = client.get(path_of(document["authorization_endpoint"]))
    assert authorize.status_code == 400  # an error page for a request without client_id


def test_capabilities(document):
    """Checklist 14, 16, 18, 22: openid scope, RS256, both client auth methods, S256, code+id_token."""
    assert "openid" in document["scopes_supported"]
    assert "RS256" in document["id_token_signing_alg_values_supported"]
    assert {"client_secret_basic", "client_secret_post"} <= set(
        document["token_endpoint_auth_methods_supported"]
    )
    assert "S256" in document["code_challenge_methods_supported"]
    assert {"code", "id_token"} <= set(document["response_types_supported"])
    assert "authorization_code" in document["grant_types_supported"]
    assert "public" in document["subject_types_supported"]
    assert {"sub", "iss", "lp_sdes"} <= set(document["claims_supported"])


def assert_valid_jwks(jwks: dict) -> None:
    keys = jwks["keys"]
    assert keys, "the JWKS is empty"
    kids = [key.get("kid") for key in keys]
    assert all(kids), "every key needs a kid (LivePerson: 'JWK kid was not found')"
    assert len(set(kids)) == len(kids), f"duplicate kids: {kids}"
    for key in keys:
        assert key["kty"] == "RSA"
        assert key["alg"] == "RS256"
        assert key["use"] == "sig"
        leaked = [name for name in PRIVATE_MEMBERS if name in key]
        assert not leaked, f"private members published: {leaked}"
    assert len(jwt.PyJWKSet.from_dict(jwks).keys) == len(keys)  # every key parses


def test_jwks_is_valid(client, document):
    """Checklist 20 / RFC 7517: the JWKS parses; RSA signing keys with distinct kids, no private parts."""
    assert_valid_jwks(client.get(path_of(document["jwks_uri"])).json)


def test_jwks_stays_valid_after_rotation(client, runner, document):
    """After `rotate-keys` the JWKS holds both keys, still distinct and public only."""
    result = runner.invoke(args=["rotate-keys"])
    assert result.exit_code == 0, result.output
    jwks = client.get(path_of(document["jwks_uri"])).json
    assert len(jwks["keys"]) == 2
    assert_valid_jwks(jwks)


def test_id_token_kid_is_in_jwks(client, document):
    """Checklist 18: the id_token's kid names a key of the JWKS at jwks_uri."""
    id_token = redeem(client, issue_code(client)).json["id_token"]
    kid = jwt.get_unverified_header(id_token)["kid"]
    jwks = client.get(path_of(document["jwks_uri"])).json
    assert kid in {key["kid"] for key in jwks["keys"]}


def test_consumer_delegation_is_advertised(client, document):
    """RFC 8414 §2 and RFC 7009 §2: the revocation endpoint, served under the issuer with the
    token endpoint's client authentication; the refresh grant; the brand API's scopes."""
    assert document["revocation_endpoint"] == ISSUER + "/oauth2/v3/revoke"
    assert document["revocation_endpoint_auth_methods_supported"] == \
        document["token_endpoint_auth_methods_supported"]
    revoke = client.post(path_of(document["revocation_endpoint"]), data={"token": "x"})
    assert revoke.status_code == 401  # served, and asks the client to authenticate
    assert {"authorization_code", "refresh_token"} <= set(document["grant_types_supported"])
    assert "orders.read" in document["scopes_supported"]
