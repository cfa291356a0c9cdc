"""`GET /api/v1/orders`: the customer's orders, for an access token granted `orders.read`.

The token comes as `Authorization: Bearer` (RFC 6750 §2.1), from a code exchange or a refresh
of a delegated grant; a revoked or expired one is refused. Errors are raised and answered by
`backend/errors.py` with the `WWW-Authenticate` challenge (RFC 6750 §3): 401 `invalid_token`,
403 `insufficient_scope` naming the scope.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from backend import store
from backend.db import get_db
from backend.models import Order
from backend.protocol import access_token, bearer
from backend.protocol.delegation import ORDERS_READ

bp = Blueprint("orders", __name__)


@bp.get("/api/v1/orders")
def orders() -> ResponseReturnValue:
    token = bearer.from_header(request.headers.get("Authorization"))
    granted = access_token.check(store.current(), token, scope=ORDERS_READ)
    placed = get_db().scalars(
        select(Order).where(Order.user_id == granted.user_id).order_by(Order.placed_at.desc())
    )
    return jsonify(orders=[order.as_json() for order in placed])

