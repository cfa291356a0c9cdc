"""The load generator: a separate process that drives the servers over HTTP/1.1 from asyncio.

It shares the machine's cores with the server it measures, so it is kept cheap: hand-built
request bytes, one connection per virtual user that is kept alive when the server allows it
(gthread, gevent) and reopened when the server answers `Connection: close` (sync workers), and
a response parser that reads only the status line, Content-Length, Connection and the body.
Every answer is checked: anything but a 200 with the expected field is an error, never a success.
"""

from __future__ import annotations

import asyncio
import base64
import json
import multiprocessing
import statistics
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from bench import cpu

HOST = "127.0.0.1"
TIMEOUT = 30  # seconds for one request, as gunicorn's worker timeout: a hung server is an error
JSON = {"Content-Type": "application/json"}
ERROR_SAMPLES = 5  # distinct wrong answers kept, to say what went wrong


class ProtocolError(Exception):
    """A wrong answer: unexpected status or body, or HTTP this parser does not read."""


@dataclass(frozen=True)
class Schedule:
    concurrency: int  # virtual users, each waiting for its answer before sending again
    warmup: float  # seconds run but not counted, while connections, pools and caches fill up
    duration: float  # seconds measured


@dataclass(frozen=True)
class TokenExchange:
    """LivePerson redeeming pre-issued codes at the token endpoint, with HTTP Basic."""

    port: int
    server_group: int  # gunicorn's process group, whose CPU use is measured
    client_id: str
    client_secret: str
    redirect_uri: str
    codes: list[str]


@dataclass(frozen=True)
class Conversation:
    """The app asks the backend for a code, then the SDK hands it to the stand-in, which
    redeems it at the token endpoint and validates the id_token: one authenticated conversation."""

    backend_port: int
    server_group: int  # gunicorn's process group, whose CPU use is measured
    standin_port: int
    session_token: str
    account: str


@dataclass(frozen=True)
class LoadResult:
    completed: int  # correct answers that arrived within the measured window
    rate: float  # completed per second
    p50_ms: float | None
    p99_ms: float | None
    errors: int  # wrong answers and failed requests over the whole run, warm-up included
    error_samples: list[str]
    connections: int  # opened over the whole run: about one per request without keep-alive
    loadgen_cpu: float  # share of one core this process used over the whole run
    machine_cpu: float | None  # share of all cores busy during the window, whoever used them
    server_cpu: float | None  # cores gunicorn's processes used during the window
    exhausted: bool  # the pre-issued codes ran out: the rate is then a lower bound


def run(load: TokenExchange | Conversation, schedule: Schedule) -> LoadResult:
    """Drive `load` from a spawned process, which inherits no server or database state."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_drive, load, schedule).result()


def _drive(load: TokenExchange | Conversation, schedule: Schedule) -> LoadResult:
    return asyncio.run(_main(load, schedule))


async def _main(load: TokenExchange | Conversation, schedule: Schedule) -> LoadResult:
    recorder = _Recorder(schedule)
    if isinstance(load, TokenExchange):
        codes = iter(load.codes)
        users = [_redeem_codes(load, codes, recorder) for _ in range(schedule.concurrency)]
    else:
        users = [_converse(load, recorder) for _ in range(schedule.concurrency)]
    cpu_started = time.process_time()
    _, usage = await asyncio.gather(asyncio.gather(*users), _window_cpu(recorder, load.server_group))
    return recorder.result(time.process_time() - cpu_started, usage)


# -- the two kinds of virtual user ----------------------------------------------------------


async def _redeem_codes(load: TokenExchange, codes: Iterator[str], recorder: _Recorder) -> None:
    connection = _Connection(load.port, recorder)
    credentials = base64.b64encode(f"{load.client_id}:{load.client_secret}".encode()).decode()
    headers = {"Authorization": f"Basic {credentials}", "Content-Type": "application/x-www-form-urlencoded"}
    redirect_uri = quote(load.redirect_uri, safe="")
    while recorder.running():
        code = next(codes, None)
        if code is None:
            recorder.exhausted = True
            return
        # Codes are URL-safe base64: no escaping needed.
        body = f"grant_type=authorization_code&code={code}&redirect_uri={redirect_uri}".encode()
        request = _post(load.port, "/oauth2/v3/token", headers, body)
        began = time.perf_counter()
        try:
            _expect(*await connection.exchange(request), "id_token")
        except _FAILURES as error:
            recorder.failure(error)
        else:
            recorder.success(began)


async def _converse(load: Conversation, recorder: _Recorder) -> None:
    backend = _Connection(load.backend_port, recorder)
    standin = _Connection(load.standin_port, recorder)
    bearer = {"Authorization": f"Bearer {load.session_token}", **JSON}
    ask = _post(load.backend_port, "/api/liveperson/code", bearer, b"{}")
    authenticate = f"/api/account/{load.account}/authenticate"
    while recorder.running():
        began = time.perf_counter()
        try:
            issued = _expect(*await backend.exchange(ask), "code")
            body = json.dumps({"authCode": issued["code"], "redirect_uri": issued["redirect_uri"]})
            handed = _post(load.standin_port, authenticate, JSON, body.encode())
            _expect(*await standin.exchange(handed), "sub")
        except _FAILURES as error:
            recorder.failure(error)
        else:
            recorder.success(began)


def _post(port: int, path: str, headers: dict[str, str], body: bytes) -> bytes:
    lines = [f"POST {path} HTTP/1.1", f"Host: {HOST}:{port}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines += [f"Content-Length: {len(body)}", "", ""]
    return "\r\n".join(lines).encode("latin-1") + body


def _expect(status: int, body: bytes, field: str) -> dict[str, Any]:
    """The JSON answer, when it is a 200 carrying `field` as a non-empty string."""
    if status != 200:
        raise ProtocolError(f"HTTP {status}: {body[:300]!r}")
    try:
        answer = json.loads(body)
    except ValueError:
        raise ProtocolError(f"HTTP 200 without JSON: {body[:300]!r}") from None
    if not isinstance(answer, dict) or not isinstance(answer.get(field), str) or not answer[field]:
        raise ProtocolError(f"HTTP 200 without {field!r}: {body[:300]!r}")
    return answer


# -- HTTP/1.1 over asyncio streams ----------------------------------------------------------


class _ClosedBeforeAnswer(ConnectionError):
    """The server closed the connection without answering a single byte."""


_FAILURES = (OSError, EOFError, ProtocolError)  # OSError includes ConnectionError and timeouts


class _Connection:
    def __init__(self, port: int, recorder: _Recorder) -> None:
        self._port = port
        self._recorder = recorder
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def exchange(self, request: bytes) -> tuple[int, bytes]:
        """Send `request`, return the answer's status and body; TimeoutError past TIMEOUT."""
        async with asyncio.timeout(TIMEOUT):
            if self._streams is None:
                await self._open()
                return await self._round_trip(request)
            try:
                return await self._round_trip(request)
            except _ClosedBeforeAnswer:
                # A kept-alive connection the server closed while idle (its keep-alive timeout):
                # the request was never read, so sending it again on a new connection is safe.
                await self._open()
                return await self._round_trip(request)

    async def _open(self) -> None:
        self._streams = await asyncio.open_connection(HOST, self._port)
        self._recorder.connections += 1

    async def _round_trip(self, request: bytes) -> tuple[int, bytes]:
        assert self._streams is not None
        reader, writer = self._streams
        try:
            writer.write(request)
            await writer.drain()
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError as error:
                if error.partial:
                    raise ProtocolError(f"connection closed inside the headers: {error.partial!r}") from None
                raise _ClosedBeforeAnswer("closed without an answer") from None
            except asyncio.LimitOverrunError:
                raise ProtocolError("headers longer than 64 KiB") from None
            status, length, keep_alive = _parse_head(head)
            if length is None:  # no Content-Length: the body ends when the server closes
                body, keep_alive = await reader.read(), False
            else:
                body = await reader.readexactly(length)
        except BaseException:
            self._close()
            raise
        if not keep_alive:
            self._close()
        return status, body

    def _close(self) -> None:
        if self._streams is not None:
            self._streams[1].close()
            self._streams = None


def _parse_head(head: bytes) -> tuple[int, int | None, bool]:
    """Status, Content-Length and whether the connection stays open, from the status line and headers."""
    lines = head.split(b"\r\n")
    version, _, rest = lines[0].partition(b" ")
    status = rest[:3]
    if not (version.startswith(b"HTTP/1.") and status.isdigit()):
        raise ProtocolError(f"not an HTTP/1.x status line: {lines[0]!r}")
    keep_alive = version == b"HTTP/1.1"  # HTTP/1.0 closes unless it says keep-alive
    length = None
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value) if value.strip().isdigit() else None
        elif name == b"connection":
            token = value.strip().lower()
            keep_alive = token == b"keep-alive" or (keep_alive and token != b"close")
        elif name == b"transfer-encoding":
            raise ProtocolError(f"Transfer-Encoding {value.strip()!r} is not read by this load generator")
    return int(status), length, keep_alive


# -- what is recorded -----------------------------------------------------------------------


class _Recorder:
    def __init__(self, schedule: Schedule) -> None:
        self._started = time.perf_counter()
        self.window_start = self._started + schedule.warmup
        self.window_end = self.window_start + schedule.duration
        self._duration = schedule.duration
        self._latencies: list[float] = []
        self._errors = 0
        self._samples: list[str] = []
        self.connections = 0
        self.exhausted = False

    def running(self) -> bool:
        return time.perf_counter() < self.window_end

    def success(self, began: float) -> None:
        now = time.perf_counter()
        if self.window_start <= now <= self.window_end:
            self._latencies.append(now - began)

    def failure(self, error: Exception) -> None:
        self._errors += 1
        sample = f"{type(error).__name__}: {error}"
        if len(self._samples) < ERROR_SAMPLES and sample not in self._samples:
            self._samples.append(sample)

    def result(self, cpu_seconds: float, usage: cpu.Usage) -> LoadResult:
        wall = time.perf_counter() - self._started
        percentiles = (
            statistics.quantiles(self._latencies, n=100, method="inclusive")
            if len(self._latencies) >= 2
            else None
        )
        return LoadResult(
            completed=len(self._latencies),
            rate=len(self._latencies) / self._duration,
            p50_ms=percentiles[49] * 1000 if percentiles else None,
            p99_ms=percentiles[98] * 1000 if percentiles else None,
            errors=self._errors,
            error_samples=self._samples,
            connections=self.connections,
            loadgen_cpu=cpu_seconds / wall,
            machine_cpu=usage.machine,
            server_cpu=usage.group,
            exhausted=self.exhausted,
        )


async def _window_cpu(recorder: _Recorder, server_group: int) -> cpu.Usage:
    """CPU use between the window's start and end."""
    await asyncio.sleep(max(0.0, recorder.window_start - time.perf_counter()))
    before = cpu.sample(server_group)
    await asyncio.sleep(max(0.0, recorder.window_end - time.perf_counter()))
    return cpu.between(before, cpu.sample(server_group))
