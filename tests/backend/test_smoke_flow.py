"""The code flow end to end, as LivePerson and the brand app drive it."""

from tests.support.backend_app import CLIENT_ID, ISSUER, issue_code, redeem, verify_id_token


def test_code_flow_issues_a_verifiable_id_token(client):
    code = issue_code(client)
    response = redeem(client, code)
    assert response.status_code == 200
    body = response.json
    assert body["token_type"] == "Bearer"
    claims = verify_id_token(client, body["id_token"])
    assert claims["iss"] == ISSUER
    assert claims["aud"] == CLIENT_ID
    assert isinstance(claims["exp"], int) and isinstance(claims["iat"], int)
