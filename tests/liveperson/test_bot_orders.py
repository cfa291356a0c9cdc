"""The bot's call to the brand's API (shared/liveperson/bot/orders.py) against a brand that
answers anything, served on loopback: the token goes as a Bearer header and never follows a
redirect, RFC 6750's error is read from the challenge, and whatever the brand sends becomes a
short message that passes the rule every message's text follows, or no list at all."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, Response, jsonify, request

from shared.liveperson.bot import orders
from shared.liveperson.messaging import text
from tests.support.servers import Serving, free_port

SEEN: list[dict[str, str]] = []
ANSWERS: dict[str, Any] = {
    "fine": {"orders": [{"reference": "A-1", "status": "shipped", "description": "Shoes", "total": "9.90",
                         "currency": "EUR"}]},
    "hostile": {"orders": [
        {"reference": "R\u0000\n1", "status": ["x"], "description": "y" * 5000, "total": 12.5,
         "currency": None},
        "not an order", 7,
        *({"reference": f"B-{n}", "status": "placed"} for n in range(10)),
    ]},
    "no-list": {"orders": "none"},
    "empty": {"orders": []},
}


def brand() -> Flask:
    app = Flask(__name__)

    @app.get("/orders/<case>")
    def answer(case: str) -> Any:
        SEEN.append(dict(request.headers))
        if case == "refused":
            challenge = 'Bearer realm="api", error="insufficient_scope", scope="orders.read"'
            return jsonify(error="insufficient_scope"), 403, {"WWW-Authenticate": challenge}
        if case == "redirect":
            return "", 302, {"Location": "http://127.0.0.1:9/steal"}
        if case == "not-json":
            return Response("<html>oops</html>", mimetype="text/html")
        return jsonify(ANSWERS[case])

    return app


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with Serving(brand()) as served:
        yield served.url + "/orders/"


def test_the_token_goes_as_a_bearer_header_and_the_orders_come_back(url: str) -> None:
    answer = orders.fetch(url + "fine", "the-access-token", timeout=5)
    assert answer == orders.Answer(200, [{"reference": "A-1", "status": "shipped", "description": "Shoes",
                                          "total": "9.90", "currency": "EUR"}])
    assert SEEN[-1]["Authorization"] == "Bearer the-access-token"
    assert orders.listed(answer.orders or []) == "Here are your orders (1):\n• A-1, shipped: Shoes, 9.90 EUR"
    assert orders.listed([]) == "You have no orders with us yet."


def test_a_hostile_answer_becomes_a_short_valid_message(url: str) -> None:
    answer = orders.fetch(url + "hostile", "t", timeout=5)
    assert answer.status == 200 and answer.orders is not None and len(answer.orders) == 11
    message = orders.listed(answer.orders)
    assert text.problem(message) is None
    lines = message.splitlines()
    assert lines[0] == "Here are your orders (11):"
    # The line break a space, the NUL gone, the list no status, the long description cut short.
    assert lines[1].startswith("• R 1, status unknown: yyy") and lines[1].endswith("y…, 12.5")
    assert len(lines[1]) < 120
    assert len(lines) == 1 + orders.LISTED + 1 and lines[-1] == "…and 6 more."


@pytest.mark.parametrize(("case", "expected"), [
    ("refused", orders.Answer(403, None, "insufficient_scope")),
    ("redirect", orders.Answer(302, None, None)),
    ("not-json", orders.Answer(200, None, "the answer is not JSON")),
    ("no-list", orders.Answer(200, None, "the answer has no orders array")),
])
def test_no_list_without_a_200_with_an_orders_array(url: str, case: str, expected: orders.Answer) -> None:
    answer = orders.fetch(url + case, "t", timeout=5)
    assert (answer.status, answer.orders) == (expected.status, expected.orders)
    assert (answer.error or "").startswith(expected.error or "")  # a followed redirect: no answer at all


def test_a_brand_that_is_not_there_is_no_answer() -> None:
    answer = orders.fetch(f"http://127.0.0.1:{free_port()}/orders", "t", timeout=5)
    assert (answer.status, answer.orders, answer.error) == (None, None, "ConnectionError")
