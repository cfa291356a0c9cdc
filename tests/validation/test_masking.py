"""What a record shows of a secret: a prefix and the length of codes and tokens, nothing of
credentials, and nothing of a secret the brand echoes in free text."""

from __future__ import annotations

import json
import re

from shared.validation.masking import fingerprint, masked

CODE = "SplxlOBeZQQYbYS6WxSbIA-0123456789abcdefghij"
JWT = "eyJhbGciOiJSUzI1NiJ9." + "e" * 400 + "." + "s" * 342


def test_tokens_show_a_short_prefix_and_their_length():
    record = masked(
        {
            "access_token": "a" * 43,
            "refresh_token": "r" * 43,
            "id_token": JWT,
            "token_type": "Bearer",
            "expires_in": 3600,
        }
    )
    assert record["token_type"] == "Bearer" and record["expires_in"] == 3600
    assert record["id_token"] == f"eyJhbG...({len(JWT)} chars)"
    assert record["access_token"] == "aaaaa...(43 chars)"


def test_a_prefix_never_shows_more_than_an_eighth_of_the_value():
    for length in range(1, 80):
        shown = re.fullmatch(r"(.*)\.\.\.\(\d+ chars\)", fingerprint("x" * length))
        assert shown is not None
        assert len(shown.group(1)) <= length / 8


def test_credentials_show_nothing_but_the_authorization_scheme():
    record = masked(
        {
            "headers": {"Authorization": "Basic bGl2ZXBlcnNvbjpzZWNyZXQ=", "Accept": "application/json"},
            "form": {"client_secret": "demo-client-secret", "code": CODE, "code_verifier": "v" * 64},
            "response_headers": {"Set-Cookie": "session=abc; HttpOnly"},
        }
    )
    assert record["headers"] == {"Authorization": "Basic ***", "Accept": "application/json"}
    assert record["form"]["client_secret"] == "***"
    assert record["form"]["code"] == f"Splxl...({len(CODE)} chars)"
    assert record["form"]["code_verifier"] == "vvvvvv...(64 chars)"
    assert record["response_headers"]["Set-Cookie"] == "***"


def test_secrets_echoed_in_free_text_are_hidden_at_any_depth():
    answer = {"error": "invalid_grant", "error_description": f"Code {CODE} is unknown", "x": [[f"<{CODE}>"]]}
    record = masked(answer, hide=[CODE, None, "ab"])
    assert CODE not in json.dumps(record)
    assert record["error_description"] == "Code *** is unknown"
    assert masked("a grab bag", hide=["ab"]) == "a grab bag"  # too short to search for
