"""Where the discovery document may send LivePerson's side: the issuer's own origin, or a host
allowed by hand; never from https down to http."""

from __future__ import annotations

import argparse

import pytest

from shared.validation.discovery import allowed_host, host_of, refusal

ISSUER = "https://auth.brand.example"


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://auth.brand.example/oauth2/v3/certs", ()),
        ("https://AUTH.brand.example:443/certs", ()),
        ("https://keys.brand.example/certs", ("keys.brand.example",)),
        ("https://keys.brand.example:8443/certs", ("keys.brand.example:8443",)),
        ("https://[2001:db8::1]:8443/certs", ("[2001:db8::1]:8443",)),
    ],
)
def test_the_issuers_origin_and_allowed_hosts_are_followed(url, allowed):
    assert refusal("jwks_uri", url, ISSUER, allowed) is None


@pytest.mark.parametrize(
    ("url", "allowed", "said"),
    [
        ("https://attacker.example/certs", (), "--allow-host attacker.example."),
        ("https://auth.brand.example:8443/certs", (), "--allow-host auth.brand.example:8443."),
        ("https://keys.brand.example:8443/x", ("keys.brand.example",), "allow-host keys.brand.example:8443"),
        ("http://auth.brand.example/certs", ("auth.brand.example",), "plain http"),
        ("https://169.254.169.254/latest/meta-data", (), "--allow-host 169.254.169.254"),
        ("file:///etc/passwd", (), "not an http or https URL"),
        ("https://auth.brand.example:99999/certs", (), "not an http or https URL"),
        (["https://auth.brand.example/certs"], (), "not an http or https URL"),
    ],
)
def test_anything_else_is_refused_with_how_to_allow_it(url, allowed, said):
    reason = refusal("jwks_uri", url, ISSUER, allowed)
    assert reason is not None and said in reason, reason


def test_allow_host_values_are_normalised_or_refused():
    assert allowed_host("Keys.Brand.Example:8443") == "keys.brand.example:8443"
    assert allowed_host("[::1]:8000") == "[::1]:8000"
    assert host_of("http://127.0.0.1:8000/token") == "127.0.0.1:8000"
    assert host_of("https://auth.brand.example:443/token") == "auth.brand.example"
    for bad in ("https://keys.example/", "keys.example:port", "user@keys.example", ""):
        with pytest.raises(argparse.ArgumentTypeError):
            allowed_host(bad)
