"""The two servers `python -m bench.ceiling` measures the backend against. Each answers the
token request LivePerson sends (a form POST) with a token response whose id_token it signs
with the backend's key and the claims the backend signed, and does nothing else: no client
authentication, no code, no database, no hooks. Served by gunicorn with the backend's
gunicorn.conf.py, they show how fast the exchange could be on this stack if the rest were
free. The key and the token's contents come from the file BENCH_CEILING_TOKEN names."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import jwt
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from flask import Flask, jsonify, request

PATH = "/token"


def _signer() -> Callable[[], dict[str, Any]]:
    given = json.loads(Path(os.environ["BENCH_CEILING_TOKEN"]).read_text())
    key = load_pem_private_key(given["key"].encode(), password=None)

    def respond() -> dict[str, Any]:
        id_token = jwt.encode(given["claims"], key, algorithm="RS256", headers=given["header"])  # type: ignore[arg-type]
        return {**given["response"], "id_token": id_token}

    return respond


def flask_app() -> Flask:
    """One Flask view: reads the form, answers with `jsonify`."""
    app = Flask(__name__)
    respond = _signer()

    @app.post(PATH)
    def token() -> Any:
        request.form.get("code")
        return jsonify(respond())

    @app.get("/")
    def ready() -> str:
        return "ready"

    return app


def wsgi_app() -> Callable[..., Iterable[bytes]]:
    """WSGI without a framework: the least gunicorn can be asked to run per request."""
    respond = _signer()

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        parse_qs(environ["wsgi.input"].read(length).decode())
        body = json.dumps(respond()).encode() if environ["REQUEST_METHOD"] == "POST" else b"ready"
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    return app
