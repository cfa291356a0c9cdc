"""Gunicorn settings for `gunicorn 'backend:create_app()'` (read from the working directory).
Where to listen, how many workers and the access log are backend settings (`backend/config.py`:
BACKEND_BIND, BACKEND_WORKERS, BACKEND_ACCESS_LOG)."""

from gunicorn.http import message

# Named so: gunicorn reads every name in this file as one of its settings (it has `config`).
from backend.config import value as backend_setting

bind = backend_setting("BIND")
workers = backend_setting("WORKERS")
# The request line ("GET <target> HTTP/1.1") is bounded: unbounded, one 50 MB line kept a worker
# copying its growing buffer at every read until the worker was killed for it. The longest
# lines a browser sends come from LivePerson's pop-out window: its authorization URL carries a
# JSON `state` of several KB, and the login page carries that whole URL, percent-encoded again,
# in `next`. Measured with the backend (PKCE included; bytes of the line):
#
#   state                            authorize  /login?next=  the 303 back to authorize
#   3.3 KB, the stand-in's window        4,858         6,573       4,929
#   6.0 KB, shaped like LivePerson's    10,919        15,679      10,987
#   9.2 KB, the same shape              16,619        23,881      16,689
#   (the largest of each: prompt=login; /login?next= is about 2.6 times the state)
#
# 32 KiB is twice the longest line of the 6 KB state, and takes a state up to about 12 KB.
# tests/integration/test_request_line.py measures the 6 KB row again through gunicorn.
limit_request_line = 32 * 1024
# Gunicorn lowers any limit_request_line above message.MAX_REQUEST_LINE (8190) to it; only 0,
# unlimited, goes past. Checked on gunicorn 27.0.1: Request() reads that module constant for
# every request, and the workers inherit it from the master, which runs this file. So raising
# it here makes gunicorn enforce the limit above as set. Should gunicorn honour larger limits
# itself, delete this line; tests/integration/test_request_line.py
# fails if it stops working.
message.MAX_REQUEST_LINE = max(message.MAX_REQUEST_LINE, limit_request_line)
# Header fields keep gunicorn's default limit (8190 bytes each): the pages are sent with
# Referrer-Policy: no-referrer, so the login page's long URL never comes back as a Referer.
accesslog = backend_setting("ACCESS_LOG")
# Gunicorn 27's control socket has one default path per user: several instances on one machine
# would take it over from each other, and the first to stop would remove it for the rest.
control_socket_disable = True
