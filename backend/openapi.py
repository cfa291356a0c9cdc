"""`GET /openapi.json`: the backend's HTTP contract, OpenAPI 3.1.

The description is written in `openapi.yaml` beside this module, for people to read and
edit. It is parsed once per process and served as JSON, with `servers` set to BACKEND_ISSUER
(never the Host header, as for discovery).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from flask import Blueprint, Response, current_app
from flask.blueprints import BlueprintSetupState

bp = Blueprint("openapi", __name__)

SOURCE = Path(__file__).with_name("openapi.yaml")


@cache
def _source_as_json() -> str:
    # libyaml when PyYAML has it: the pure-Python parser takes a tenth of a second here,
    # which every app made (each test makes one) would pay. Either loader is a safe one.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return json.dumps(yaml.load(SOURCE.read_text(encoding="utf-8"), Loader=loader))  # noqa: S506


def load(issuer: str) -> dict[str, Any]:
    """The description as served for `issuer`: a fresh copy, the caller's to change."""
    document = json.loads(_source_as_json())
    document["servers"] = [{"url": issuer, "description": "BACKEND_ISSUER"}]
    return document


@bp.record_once
def _prepare(state: BlueprintSetupState) -> None:
    # Serialised here, not with jsonify: that sorts keys, and the authored order (paths in
    # the order of the flow) is part of what makes the document readable.
    document = load(state.app.config["ISSUER"])
    state.app.extensions["openapi"] = json.dumps(document, ensure_ascii=False).encode()


@bp.get("/openapi.json")
def description() -> Response:
    return Response(current_app.extensions["openapi"], mimetype="application/json")
