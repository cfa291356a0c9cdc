"""Gunicorn's request-line limit (`gunicorn.conf.py`), through a real gunicorn: the pop-out
window's longest lines fit with room to spare, a line over the limit is refused at once, and a
50 MB line neither holds nor kills a worker."""

from __future__ import annotations

import runpy
import socket
import time
from collections.abc import Iterator
from select import select
from urllib.parse import urljoin, urlsplit

import pytest
import requests

from tests.integration.test_liveperson_requests import popout_authorize_url, popout_state
from tests.support import servers
from tests.support.http_api import TIMEOUT, html_login

LIMIT = 32 * 1024  # bytes of "GET <target> HTTP/1.1", as gunicorn.conf.py sets it
MARGIN = 2  # the limit is at least this many times the pop-out window's longest line
DISCOVERY = "/.well-known/openid-configuration"
QUICKLY = 2.0  # seconds within which a refusal must come
HUGE = 50 * 1024 * 1024  # bytes of the request line that used to stall a worker
HUGE_DEADLINE = 10.0  # seconds the 50 MB test may spend sending and waiting


@pytest.fixture(scope="module")
def one_worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[servers.LiveServer]:
    """A backend with a single worker: if that worker is held or killed, the next request shows it."""
    with servers.backend(tmp_path_factory.mktemp("one_worker"), workers=1) as server:
        yield server


def request_line(url: str) -> int:
    """The length gunicorn measures: "GET <target> HTTP/1.1" without its CRLF."""
    parts = urlsplit(url)
    return len(f"GET {parts.path}?{parts.query} HTTP/1.1".encode())


def raw_get(server: servers.LiveServer, target: bytes) -> tuple[bytes, float]:
    """Send one GET with exactly this target; returns the whole answer and how long it took."""
    address = urlsplit(server.url)
    started = time.monotonic()
    with socket.create_connection((address.hostname, address.port), timeout=TIMEOUT) as sock:
        sock.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: " + address.netloc.encode()
                     + b"\r\nConnection: close\r\n\r\n")
        answer = b""
        while data := sock.recv(65536):
            answer += data
    return answer, time.monotonic() - started


def padded_target(length: int) -> bytes:
    """A discovery request whose request line is exactly `length` bytes long."""
    target = f"{DISCOVERY}?pad=".encode()
    padding = length - len(b"GET  HTTP/1.1") - len(target)
    return target + b"a" * padding


def booted_workers(server: servers.LiveServer) -> int:
    return server.output().count("Booting worker with pid")


def test_the_configured_limit_is_the_one_tested():
    settings = runpy.run_path(str(servers.ROOT / "gunicorn.conf.py"))
    assert settings["limit_request_line"] == LIMIT


def test_popout_request_lines_fit_with_room(live_backend):
    """The three lines of a logged-out pop-out login with a ~6 KB state shaped like LivePerson's:
    the authorization request, /login?next=..., and the 303 back; the limit is MARGIN times the
    longest. (test_liveperson_requests.py runs the same flow to the end through this server.)"""
    url = popout_authorize_url(live_backend.url, popout_state())
    with requests.Session() as browser:
        to_login = browser.get(url, allow_redirects=False, timeout=TIMEOUT)
        assert to_login.status_code == 302, to_login.text[:500]
        login_url = urljoin(url, to_login.headers["Location"])
        back = html_login(browser, login_url)
        assert back.status_code == 303, back.text[:500]
        back_url = urljoin(login_url, back.headers["Location"])
    lines = {"authorize": request_line(url), "login": request_line(login_url),
             "back": request_line(back_url)}
    assert lines["login"] > 8190, lines  # gunicorn's own ceiling would refuse it
    assert max(lines.values()) * MARGIN <= LIMIT, lines


def test_line_at_the_limit_is_served_one_byte_more_is_refused(one_worker):
    at_limit, _ = raw_get(one_worker, padded_target(LIMIT))
    assert at_limit.startswith(b"HTTP/1.1 200 "), at_limit[:300]
    over, seconds = raw_get(one_worker, padded_target(LIMIT + 1))
    assert over.startswith(b"HTTP/1.1 414 "), over[:300]  # URI Too Long
    assert b"Request Line is too large" in over
    assert seconds < QUICKLY


def send_huge_line(server: servers.LiveServer) -> tuple[int, bytes, bool]:
    """Send a request line of up to HUGE bytes, and stop as soon as the server answers or
    closes the connection. Returns the bytes sent, the answer read, and whether the server
    ended it (rather than HUGE_DEADLINE passing)."""
    address = urlsplit(server.url)
    chunk = b"a" * 65536
    sent = 0
    ended_by_server = False
    deadline = time.monotonic() + HUGE_DEADLINE
    with socket.create_connection((address.hostname, address.port), timeout=TIMEOUT) as sock:
        sock.sendall(b"GET /")
        sock.setblocking(False)
        while sent < HUGE and (remaining := deadline - time.monotonic()) > 0:
            readable, writable, _ = select([sock], [sock], [], remaining)
            if readable:  # an answer, or the connection closed: no more to send
                ended_by_server = True
                break
            if writable:
                try:
                    sent += sock.send(chunk[:HUGE - sent])
                except BlockingIOError:
                    continue
                except (BrokenPipeError, ConnectionResetError):
                    ended_by_server = True
                    break
        answer = b""
        sock.settimeout(max(deadline - time.monotonic(), 0.1))
        try:
            while data := sock.recv(65536):
                answer += data
            ended_by_server = True
        except ConnectionResetError:  # closed with our unread bytes: the answer may be lost
            ended_by_server = True
        except TimeoutError:
            pass
    return sent, answer, ended_by_server


def test_a_50_mb_request_line_is_refused_at_once_and_the_worker_lives(one_worker):
    """Unlimited, such a line kept the worker copying its buffer until it was killed for it.
    Now gunicorn refuses it after LIMIT bytes, and the same worker answers the next request."""
    workers = booted_workers(one_worker)
    started = time.monotonic()
    sent, answer, ended_by_server = send_huge_line(one_worker)
    seconds = time.monotonic() - started
    assert ended_by_server, f"no answer after {sent} bytes and {seconds:.1f} s"
    assert seconds < QUICKLY, f"{seconds:.1f} s to refuse"
    assert sent < HUGE // 4, f"{sent} bytes accepted before the refusal"
    assert answer == b"" or answer.startswith(b"HTTP/1.1 414 "), answer[:300]
    started = time.monotonic()
    response = requests.get(one_worker.url + DISCOVERY, timeout=TIMEOUT)
    assert response.status_code == 200
    assert time.monotonic() - started < QUICKLY
    assert booted_workers(one_worker) == workers, one_worker.output()
