"""The OpenAPI description stays true: it names every route with its methods and nothing
else, it is valid OpenAPI 3.1, its length limits are the ones the backend enforces, and it is
served with the configured issuer. What each answer looks like is `test_fuzz.py`'s concern."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import jsonschema_rs
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.definitions import OPENAPI_31_VALIDATOR

from backend import openapi
from backend.protocol import authorization_request, parameters
from shared import pkce
from tests.support.backend_app import ISSUER

# Flask answers these for every GET and every route on its own; they are no contract.
_AUTOMATIC = {"HEAD", "OPTIONS"}
_HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def _routes(app: Flask) -> dict[str, set[str]]:
    """`{"/path": {"GET", ...}}` from the app's url_map, in OpenAPI's path syntax."""
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        routes.setdefault(path, set()).update(set(rule.methods or ()) - _AUTOMATIC)
    return routes


def _described(document: dict[str, Any]) -> dict[str, set[str]]:
    return {
        path: {method.upper() for method in item if method in _HTTP_METHODS}
        for path, item in document["paths"].items()
    }


def test_every_route_is_described_with_its_methods_and_nothing_else(app: Flask) -> None:
    assert _described(openapi.load(ISSUER)) == _routes(app)


def test_the_description_is_served_with_the_issuer_never_the_host(client: FlaskClient) -> None:
    response = client.get("/openapi.json", headers={"Host": "evil.example"})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.json == openapi.load(ISSUER)
    assert response.json["servers"] == [{"url": ISSUER, "description": "BACKEND_ISSUER"}]


def test_the_description_is_valid_openapi_3_1() -> None:
    document = openapi.load(ISSUER)
    assert document["openapi"].startswith("3.1.")
    errors = [f"{error.instance_path}: {error.message}"
              for error in OPENAPI_31_VALIDATOR.iter_errors(document)]
    assert errors == []
    # The OpenAPI meta-schema leaves Schema Objects unchecked: each one against JSON Schema 2020-12.
    for where, schema in _schemas(document):
        assert jsonschema_rs.meta.is_valid(schema), where
    for where, reference in _references(document):
        assert _resolve(document, reference) is not None, f"{where}: {reference} does not resolve"


def test_schemathesis_reads_every_operation(client: FlaskClient, app: Flask) -> None:
    # from_dict, not from_wsgi: that one leaves out the operation it was loaded from.
    schema = schemathesis.openapi.from_dict(client.get("/openapi.json").json)
    operations = list(schema.get_all_operations())
    failures = [result for result in operations if not isinstance(result, Ok)]
    assert failures == []
    assert len(operations) == sum(map(len, _routes(app).values()))


def test_the_description_ships_with_the_package() -> None:
    """A non-editable install (`pip install '.[postgres]'`, as the README's production steps
    do) copies only the package data pyproject.toml lists; without the YAML, no app starts."""
    pyproject = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]
    shipped = [*patterns.get("*", []), *patterns.get("backend", [])]
    name = openapi.SOURCE.name
    assert any(fnmatch(name, pattern) for pattern in shipped), (
        f"add {name!r} to [tool.setuptools.package-data] in pyproject.toml")


def test_length_limits_are_the_ones_the_backend_enforces() -> None:
    """Every described parameter or body member that the backend limits has that limit as
    its maxLength, so clients learn the limit from the description, not from a 400."""
    limits = {
        **parameters.MAX_LENGTHS,
        # Bounded by their protocol's own rule rather than by the request guard.
        "nonce": authorization_request.MAX_NONCE_LENGTH,
        "code_verifier": pkce.MAX_VERIFIER_LENGTH,
    }
    document = openapi.load(ISSUER)
    seen = set()
    for where, name, schema in _named_values(document):
        if name in limits:
            seen.add(name)
            assert max_length(document, schema) == limits[name], where
    # Limits on names the description never mentions would be limits nobody is told about.
    assert seen == set(limits)


def _schemas(document: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """Every Schema Object: under components.schemas and every `schema` keyword."""
    for name, schema in document["components"]["schemas"].items():
        yield f"components/schemas/{name}", schema
    for where, node in _walk(document):
        if isinstance(node, dict) and isinstance(node.get("schema"), dict):
            yield f"{where}/schema", node["schema"]


def _references(document: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for where, node in _walk(document):
        if isinstance(node, dict) and isinstance(node.get("$ref"), str):
            yield where, node["$ref"]


def _walk(node: Any, where: str = "#") -> Iterator[tuple[str, Any]]:
    yield where, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{where}/{index}")


def _resolve(document: dict[str, Any], reference: str) -> Any:
    if not reference.startswith("#/"):
        return None  # the description is one self-contained file
    node: Any = document
    for part in reference[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def deref(document: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        node = _resolve(document, node["$ref"])
    return node


def _named_values(document: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """(where, name, schema) for every parameter and every member of a request body."""
    for path, item in document["paths"].items():
        for method, operation in item.items():
            where = f"{method.upper()} {path}"
            for parameter in map(lambda p: deref(document, p), operation.get("parameters", [])):
                yield f"{where} {parameter['name']}", parameter["name"], parameter["schema"]
            content = deref(document, operation.get("requestBody", {})).get("content", {})
            for media_type in content.values():
                body = deref(document, media_type["schema"])
                for name, schema in body.get("properties", {}).items():
                    yield f"{where} body {name}", name, schema


def max_length(document: dict[str, Any], schema: Any) -> int | None:
    """The maxLength a property schema sets, through $ref and allOf."""
    schema = deref(document, schema)
    if "maxLength" in schema:
        return schema["maxLength"]
    for part in schema.get("allOf", []):
        found = max_length(document, part)
        if found is not None:
            return found
    return None
