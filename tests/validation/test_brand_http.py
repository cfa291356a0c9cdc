"""What LivePerson's side reads of a brand's answer is bounded, in size and in time, whatever the
brand sends: a huge body, an endless one, a gzip bomb, or one dripped a byte at a time. Real HTTP
on loopback; then the stand-in refuses a token response too large with LivePerson's 9012."""

from __future__ import annotations

import gzip
import time
from collections.abc import Iterator

import pytest
import requests
from flask import Flask, Response

from shared.validation import brand_http
from shared.validation.safe_json import DOCUMENT_LIMIT, JsonRejected, loads
from tests.support.servers import Serving

BOMB = gzip.compress(b" " * (64 * DOCUMENT_LIMIT))  # 64 MiB of JSON whitespace, about 64 KiB sent


def brand() -> Flask:
    app = Flask(__name__)

    @app.get("/small")
    def small() -> Response:
        return Response('{"issuer": "https://brand.example"}', mimetype="application/json")

    @app.get("/huge")
    def huge() -> Response:
        return Response(b" " * (5 * DOCUMENT_LIMIT), mimetype="application/json")

    @app.get("/endless")
    def endless() -> Response:
        def forever() -> Iterator[bytes]:
            while True:
                yield b" " * 65536
        return Response(forever(), mimetype="application/json")

    @app.get("/bomb")
    def bomb() -> Response:
        return Response(BOMB, mimetype="application/json", headers={"Content-Encoding": "gzip"})

    @app.get("/drip")
    def drip() -> Response:
        def slowly() -> Iterator[bytes]:
            while True:
                yield b" "
                time.sleep(0.1)
        return Response(slowly(), mimetype="application/json")

    return app


@pytest.fixture(scope="module")
def served() -> Iterator[Serving]:
    with Serving(brand()) as server:
        yield server


def test_a_small_answer_is_read_whole(served: Serving) -> None:
    answer = brand_http.request("GET", served.url + "/small", timeout=5)
    assert answer.status_code == 200
    assert loads(answer.content, limit=DOCUMENT_LIMIT) == {"issuer": "https://brand.example"}


@pytest.mark.parametrize("path", ["/huge", "/endless", "/bomb"])
def test_reading_stops_one_byte_past_the_limit(served: Serving, path: str) -> None:
    answer = brand_http.request("GET", served.url + path, timeout=10)
    assert len(answer.content) == DOCUMENT_LIMIT + 1
    with pytest.raises(JsonRejected, match=f"is larger than {DOCUMENT_LIMIT} bytes"):
        loads(answer.content, limit=DOCUMENT_LIMIT)


def test_an_answer_still_dripping_at_the_timeout_is_a_timeout(served: Serving) -> None:
    started = time.monotonic()
    with pytest.raises(requests.Timeout, match="still sending its answer after 1 s"):
        brand_http.request("GET", served.url + "/drip", timeout=1)
    assert time.monotonic() - started < 5
