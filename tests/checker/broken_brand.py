"""A small brand backend for the checker's tests: healthy, or with exactly one deliberate fault.

It serves what `liveperson-check` talks to — discovery, JWKS, token endpoint, userinfo, and this
project's app API (`POST /api/session`, `POST /api/liveperson/code`) — from a Flask app on a free
loopback port, in a background thread of the test process.

A test may also make it hostile once it runs: `DISCOVERY` entries replace those of its discovery
document, `ERROR_DESCRIPTION` replaces every error_description, and `PATHS` lists the paths
it was asked for.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import unquote_plus

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from flask import Flask, Response, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.serving import WSGIRequestHandler, make_server

CLIENT_ID = "brand-client"
CLIENT_SECRET = "brand-client-secret"
EMAIL = "customer@example.com"
PASSWORD = "customer-password"
REDIRECT_URI = "https://liveperson.net"
SUB = "customer-42"
SDES = [
    {"type": "ctmrinfo", "info": {"customerId": "C-42", "ctype": "vip"}},
    {"type": "personal", "personal": {"firstname": "Casey", "lastname": "Customer"}},
]

# Each fault breaks one rule; "no-pkce" is a backend without PKCE, which is allowed (WARN).
FAULTS = {
    "hs256": "signs the id_token with HS256",
    "alg-none": "signs the id_token with alg none",
    "no-kid": "omits kid while publishing two keys",
    "wrong-iss": "puts another issuer in iss",
    "exp-milliseconds": "sends exp in milliseconds",
    "exp-string": "sends exp as a string",
    "expired": "returns an expired id_token",
    "reused-code": "accepts a code a second time",
    "wrong-secret": "accepts a wrong client secret",
    "redirect-mismatch": "ignores a redirect_uri mismatch",
    "no-store": "forgets Cache-Control: no-store",
    "sdes-object": "sends lp_sdes as an object",
    "endless-userinfo": "answers userinfo with a body that never ends",
    "no-pkce": "offers no PKCE",
}


@dataclass
class Grant:
    redirect_uri: str
    challenge: str | None
    used: bool = False


@dataclass(frozen=True)
class RunningBrand:
    issuer: str
    app: Flask

    @property
    def logins(self) -> int:
        """How many times `POST /api/session` was called."""
        return self.app.config["LOGINS"]

    @property
    def paths(self) -> list[str]:
        """The path of every request it received, in order."""
        return list(self.app.config["PATHS"])


@cache
def signing_keys() -> tuple[rsa.RSAPrivateKey, rsa.RSAPrivateKey]:
    """Two RSA keys, made once per test session: key-0 signs; key-1 is published by "no-kid"."""
    return (
        rsa.generate_private_key(public_exponent=65537, key_size=2048),
        rsa.generate_private_key(public_exponent=65537, key_size=2048),
    )


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, str]:
    numbers = key.public_key().public_numbers()

    def encode(value: int) -> str:
        return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))

    return {
        "kty": "RSA",
        "use": "sig",
        "alg": "RS256",
        "kid": kid,
        "n": encode(numbers.n),
        "e": encode(numbers.e),
    }


def _s256(verifier: str) -> str:
    return b64url(hashlib.sha256(verifier.encode()).digest())


def create_app(fault: str | None = None) -> Flask:
    if fault is not None and fault not in FAULTS:
        raise ValueError(f"unknown fault {fault!r}")
    app = Flask(__name__)
    # ISSUER is set once the server's port is known.
    app.config.update(ISSUER="", LOGINS=0, DISCOVERY={}, ERROR_DESCRIPTION=None, PATHS=[])
    grants: dict[str, Grant] = {}
    sessions: set[str] = set()
    access_tokens: set[str] = set()
    lock = threading.Lock()

    def issuer() -> str:
        return app.config["ISSUER"]

    def error(status: int, code: str, description: str, **headers: str) -> ResponseReturnValue:
        description = app.config["ERROR_DESCRIPTION"] or description
        return jsonify(error=code, error_description=description), status, headers

    @app.before_request
    def log_path() -> None:
        app.config["PATHS"].append(request.path)

    def id_token() -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": issuer(),
            "sub": SUB,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "lp_sdes": SDES,
        }
        if fault == "wrong-iss":
            claims["iss"] = issuer() + "/other"
        elif fault == "exp-milliseconds":
            claims["exp"] = (now + 300) * 1000
        elif fault == "exp-string":
            claims["exp"] = str(now + 300)
        elif fault == "expired":
            claims.update(iat=now - 7200, exp=now - 3600)
        elif fault == "sdes-object":
            claims["lp_sdes"] = {"ctmrinfo": SDES[0]["info"], "personal": SDES[1]["personal"]}
        header: dict[str, Any] = {"alg": "RS256", "typ": "JWT", "kid": "key-0"}
        if fault == "no-kid":
            del header["kid"]
        elif fault == "hs256":
            header["alg"] = "HS256"
        elif fault == "alg-none":
            header["alg"] = "none"
        signing_input = (
            f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}".encode()
        )
        if header["alg"] == "HS256":
            signature = hmac.new(CLIENT_SECRET.encode(), signing_input, hashlib.sha256).digest()
        elif header["alg"] == "none":
            signature = b""
        else:
            signature = signing_keys()[0].sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input.decode()}.{b64url(signature)}"

    def client_credentials() -> tuple[str | None, str | None, bool]:
        authorization = request.headers.get("Authorization", "")
        if authorization.startswith("Basic "):
            decoded = base64.b64decode(authorization[6:]).decode()
            client_id, _, secret = decoded.partition(":")
            return unquote_plus(client_id), unquote_plus(secret), True
        return request.form.get("client_id"), request.form.get("client_secret"), False

    def bearer() -> str:
        return request.headers.get("Authorization", "").removeprefix("Bearer ")

    @app.get("/.well-known/openid-configuration")
    def discovery() -> ResponseReturnValue:
        document = {
            "issuer": issuer(),
            "authorization_endpoint": issuer() + "/authorize",
            "token_endpoint": issuer() + "/token",
            "userinfo_endpoint": issuer() + "/userinfo",
            "jwks_uri": issuer() + "/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
        }
        if fault == "no-pkce":
            del document["code_challenge_methods_supported"]
        document.update(app.config["DISCOVERY"])
        return jsonify(document)

    @app.get("/jwks")
    def jwks() -> ResponseReturnValue:
        published = signing_keys()[: 2 if fault == "no-kid" else 1]
        return jsonify(keys=[_jwk(key, f"key-{index}") for index, key in enumerate(published)])

    @app.post("/api/session")
    def session() -> ResponseReturnValue:
        app.config["LOGINS"] += 1
        body = request.get_json(silent=True) or {}
        if body.get("email") != EMAIL or body.get("password") != PASSWORD:
            return error(401, "invalid_credentials", "Wrong email or password.")
        token = secrets.token_urlsafe(16)
        sessions.add(token)
        return jsonify(session_token=token)

    @app.post("/api/liveperson/code")
    def code() -> ResponseReturnValue:
        if bearer() not in sessions:
            return error(401, "login_required", "Log in first.")
        body = request.get_json(silent=True) or {}
        redirect_uri = body.get("redirect_uri", REDIRECT_URI)
        if redirect_uri != REDIRECT_URI:
            return error(400, "invalid_request", "redirect_uri is not registered.")
        challenge = body.get("code_challenge")
        if challenge and (fault == "no-pkce" or body.get("code_challenge_method") != "S256"):
            return error(400, "invalid_request", "code_challenge is not supported.")
        issued = secrets.token_urlsafe(16)
        with lock:
            grants[issued] = Grant(redirect_uri, challenge)
        return jsonify(code=issued, redirect_uri=redirect_uri)

    @app.post("/token")
    def token() -> ResponseReturnValue:
        client_id, secret, used_basic = client_credentials()
        if client_id != CLIENT_ID or (secret != CLIENT_SECRET and fault != "wrong-secret"):
            headers = {"WWW-Authenticate": 'Basic realm="token"'} if used_basic else {}
            return error(401, "invalid_client", "Client authentication failed.", **headers)
        if request.form.get("grant_type") != "authorization_code":
            return error(400, "unsupported_grant_type", "Only authorization_code.")
        with lock:
            grant = grants.get(request.form.get("code", ""))
            if grant is None or (grant.used and fault != "reused-code"):
                return error(400, "invalid_grant", "Unknown or used code.")
            grant.used = True
            if request.form.get("redirect_uri") != grant.redirect_uri and fault != "redirect-mismatch":
                return error(400, "invalid_grant", "redirect_uri differs from the code's.")
            if (
                grant.challenge is not None
                and _s256(request.form.get("code_verifier", "")) != grant.challenge
            ):
                return error(400, "invalid_grant", "code_verifier does not match.")
        access_token = secrets.token_urlsafe(16)
        access_tokens.add(access_token)
        return jsonify(access_token=access_token, token_type="Bearer", expires_in=300, id_token=id_token())

    @app.after_request
    def no_store(response: Any) -> Any:
        if request.path == "/token" and fault != "no-store":
            response.headers.update({"Cache-Control": "no-store", "Pragma": "no-cache"})
        return response

    @app.get("/userinfo")
    def userinfo() -> ResponseReturnValue:
        if bearer() not in access_tokens:
            return error(401, "invalid_token", "Unknown access token.")
        if fault == "endless-userinfo":
            return Response(_endless(), mimetype="application/json")
        return jsonify(sub=SUB, given_name="Casey")

    return app


def _endless() -> Iterator[bytes]:
    while True:
        yield b" " * 65536


class _QuietHandler(WSGIRequestHandler):
    def log(self, type: str, message: str, *args: Any) -> None:
        """No request log: the tests' output stays readable."""


@contextmanager
def serve(fault: str | None = None) -> Iterator[RunningBrand]:
    """The fake brand on a free 127.0.0.1 port, served by a thread until the block ends."""
    app = create_app(fault)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    app.config["ISSUER"] = f"http://127.0.0.1:{server.server_port}"
    # A short poll interval: shutdown() waits for the serving loop to notice it.
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="broken-brand", daemon=True)
    thread.start()
    try:
        yield RunningBrand(app.config["ISSUER"], app)
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
