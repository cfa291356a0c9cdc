"""Gunicorn settings for `gunicorn 'backend:create_app()'` (read from the working directory)."""

import os

bind = os.environ.get("BACKEND_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("BACKEND_WORKERS", "2"))
# LivePerson's pop-out window sends a `state` of several KB in the authorization URL, and the
# login page carries that URL in `next`: lift the default 4094-byte request-line limit.
limit_request_line = 0
# Off unless asked for (BACKEND_ACCESS_LOG=- for stdout, or a file): the proxy in front keeps
# the access log, and gunicorn's own costs 5% of a code exchange.
accesslog = os.environ.get("BACKEND_ACCESS_LOG") or None
# Gunicorn 27's control socket has one default path per user: several instances on one machine
# would take it over from each other, and the first to stop would remove it for the rest.
control_socket_disable = True
