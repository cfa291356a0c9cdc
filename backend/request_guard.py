"""Malformed requests are refused before any view runs: nothing is written, nothing expensive
(a password hash, a signature) is computed, and the answer is a 400 in the endpoint's own
format (`backend/errors.py`). What counts as malformed is in `backend/protocol/parameters.py`.
"""

from __future__ import annotations

from itertools import chain

from flask import Flask, abort, request

from backend.protocol import parameters


def init_app(app: Flask) -> None:
    app.before_request(_refuse_malformed)


def _refuse_malformed() -> None:
    request.get_data()  # cached first: endpoints that read the raw body still find it
    reason = parameters.pairs_problem(chain(request.args.items(multi=True),
                                            request.form.items(multi=True)))
    if reason is not None:
        abort(400, description=reason)
    if request.is_json:
        try:
            document = request.get_json(silent=True)  # parsed once: the view reads this copy
        except RecursionError:  # json's parser recurses once per level, up to Python's limit
            abort(400, description=parameters.TOO_DEEP)
        reason = parameters.json_problem(document)
        if reason is not None:
            abort(400, description=reason)
