"""One consumer socket to LivePerson's messaging service ("Messaging Window API — Getting
Started", "Protocol Overview"): `ws(s)://{host}/ws_api/account/{account}/messaging/consumer?v=3`
with the consumer token in `Authorization: jwt <token>`, and `integration=MOBILE_SDK` among the
client properties so the agent sees the conversation come from a mobile app.

Frames are JSON: requests `{"kind": "req", "id", "type", "body"}` answered by a response with
the same `reqId` and a `code` of HTTP's meaning, and notifications. Three threads:

- the caller's: `request` sends and waits for the answer (at most `timeout`);
- the reader: reads every frame, completes the waiting request or hands a notification to
  `on_notification`; when the socket closes by LivePerson's doing, or is lost, it calls
  `on_closed` once. Both run on the reader, so neither may wait for a response on this socket;
- the keep-alive: `GetClock` every `keepalive_interval` seconds, because LivePerson closes a
  socket after a minute without a frame ("send something every 60 s"). An unanswered GetClock
  means the connection is dead: the socket is dropped, and reported closed.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import socket
import threading
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from enum import Enum
from typing import Any
from urllib.parse import quote, urlsplit

import websocket

from shared.messaging_sdk import protocol
from shared.messaging_sdk.errors import RequestError

TOKEN_EXPIRED = 4401  # a fresh code or JWT is needed from the brand's app
UNAUTHENTICATED_EXPIRED = 4407  # extend the unauthenticated identity at signup
NORMAL = 1000


class ConnectionState(Enum):
    """iOS `LPMessagingSDKConnectionStateChanged(isReady:)`, Android `onConnectionChanged(isConnected)`,
    with the attempt in between."""

    CONNECTING = "connecting"
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"


class SocketClosed(Exception):
    """The socket could not be opened, was closed by LivePerson (`code`: its close code, with its
    `reason`), or was lost (`code` None). `timed_out`: LivePerson stopped answering."""

    def __init__(self, code: int | None, reason: str, *, timed_out: bool = False) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.timed_out = timed_out

    def __str__(self) -> str:
        return f"closed with {self.code}: {self.reason}" if self.code is not None else self.reason


def socket_url(liveperson_url: str, account: str) -> str:
    parts = urlsplit(liveperson_url)
    scheme = "wss" if parts.scheme == "https" else "ws"
    return (
        f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}/ws_api/account/{quote(account, safe='')}"
        "/messaging/consumer?v=3&integration=MOBILE_SDK"
    )


class Connection:
    def __init__(
        self,
        ws: websocket.WebSocket,
        *,
        on_notification: Callable[[Connection, dict[str, Any]], None],
        on_closed: Callable[[Connection, SocketClosed], None],
        timeout: float,
        keepalive_interval: float,
    ) -> None:
        self._ws = ws
        self._on_notification = on_notification
        self._on_closed = on_closed
        self._timeout = timeout
        self._keepalive_interval = keepalive_interval
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._pending: dict[str, Future[dict[str, Any]]] = {}
        self._closed: SocketClosed | None = None  # why the socket is gone, once it is
        self._closing = False  # closed by `close`: nobody is told
        self._lost: SocketClosed | None = None  # why the keep-alive dropped it
        self._stopped = threading.Event()
        self._reader = threading.Thread(target=self._read, name="lp-messaging-reader", daemon=True)
        self._keepalive = threading.Thread(
            target=self._keep_alive, name="lp-messaging-keepalive", daemon=True
        )

    @classmethod
    def open(
        cls,
        liveperson_url: str,
        account: str,
        token: str,
        *,
        on_notification: Callable[[Connection, dict[str, Any]], None],
        on_closed: Callable[[Connection, SocketClosed], None],
        timeout: float,
        keepalive_interval: float,
    ) -> Connection:
        """Connect and start reading; `SocketClosed` when the handshake fails."""
        url = socket_url(liveperson_url, account)
        try:
            ws = websocket.create_connection(url, timeout=timeout, header=[f"Authorization: jwt {token}"])
        except (websocket.WebSocketTimeoutException, TimeoutError) as error:
            raise SocketClosed(
                None, f"LivePerson's messaging at {url} did not answer within {timeout:g} s", timed_out=True
            ) from error
        except websocket.WebSocketBadStatusException as error:
            raise SocketClosed(
                None, f"LivePerson's messaging at {url} refused the connection (HTTP {error.status_code})"
            ) from error
        except (websocket.WebSocketException, OSError) as error:
            raise SocketClosed(
                None, f"could not connect to LivePerson's messaging at {url} ({error})"
            ) from error
        ws.settimeout(None)  # the reader waits for frames as long as the socket lives
        connection = cls(
            ws,
            on_notification=on_notification,
            on_closed=on_closed,
            timeout=timeout,
            keepalive_interval=keepalive_interval,
        )
        connection._reader.start()
        connection._keepalive.start()
        return connection

    def request(self, kind: str, body: Any = None) -> Any:
        """Send a request and return the body of its response. `RequestError` when LivePerson
        refuses it or does not answer in time; `SocketClosed` when the socket is gone."""
        if threading.current_thread() is self._reader:
            raise RuntimeError(
                f"{kind} was sent from an SDK callback, which runs on the socket's reader thread: "
                "the reader cannot read its answer while it waits. Call from another thread."
            )
        request_id = str(next(self._ids))
        answer: Future[dict[str, Any]] = Future()
        with self._lock:
            if self._closed is not None:
                raise self._closed
            self._pending[request_id] = answer
        frame = {"kind": "req", "id": request_id, "type": kind}
        if body is not None:
            frame["body"] = body
        try:
            self._ws.send(json.dumps(frame))
            response = answer.result(self._timeout)
        except FutureTimeout:
            raise RequestError(f"LivePerson did not answer {kind} within {self._timeout:g} s") from None
        except (websocket.WebSocketException, OSError):
            raise self._closed or SocketClosed(None, "the connection to LivePerson was lost") from None
        finally:
            with self._lock:
                self._pending.pop(request_id, None)
        code = response.get("code")
        if not isinstance(code, int) or not 200 <= code < 300:
            reason = response.get("body") if isinstance(response.get("body"), str) else "no reason given"
            raise RequestError(
                f"LivePerson refused {kind} ({code}): {reason}", code if isinstance(code, int) else None
            )
        return response.get("body")

    def close(self) -> None:
        """Close the socket from this side; `on_closed` is not called."""
        with self._lock:
            if self._closing:
                return
            self._closing = True
        self._stopped.set()
        with contextlib.suppress(websocket.WebSocketException, OSError):  # unless already gone
            self._ws.send_close(NORMAL)
        # Wakes the reader (websocket-client's abort() does nothing once send_close ran), which
        # then releases the socket.
        sock = self._ws.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    @property
    def closed(self) -> SocketClosed | None:
        """Why the socket is gone, or None while it is open."""
        with self._lock:
            return self._closed

    # The reader and the keep-alive threads.

    def _read(self) -> None:
        closed = SocketClosed(None, "the connection to LivePerson was lost")
        try:
            while True:
                opcode, data = self._ws.recv_data()
                if opcode == websocket.ABNF.OPCODE_CLOSE:
                    closed = _close_frame(data)
                    break
                if opcode == websocket.ABNF.OPCODE_TEXT:
                    self._dispatch(data)
        except (websocket.WebSocketException, OSError) as error:
            closed = self._lost or SocketClosed(None, f"the connection to LivePerson was lost ({error})")
        finally:
            self._ws.shutdown()
            self._stopped.set()
            with self._lock:
                self._closed = closed
                pending, self._pending = self._pending, {}
            for answer in pending.values():
                if not answer.done():  # an answer read but not yet taken stays answered
                    answer.set_exception(closed)
        if not self._closing:
            self._on_closed(self, closed)

    def _dispatch(self, data: bytes) -> None:  # a text frame, as UTF-8 bytes
        try:
            frame = json.loads(data)
        except ValueError:
            return  # not JSON: nothing the SDK asked for
        if not isinstance(frame, dict):
            return
        if frame.get("kind") == "resp":
            with self._lock:
                answer = self._pending.get(str(frame.get("reqId")))
            if answer is not None and not answer.done():
                answer.set_result(frame)
        elif frame.get("kind") == "notification":
            self._on_notification(self, frame)

    def _keep_alive(self) -> None:
        while not self._stopped.wait(self._keepalive_interval):
            try:
                self.request(protocol.GET_CLOCK)
            except RequestError as unanswered:
                if unanswered.code is None:  # no answer: the connection is dead, drop it
                    self._lost = SocketClosed(None, unanswered.message, timed_out=True)
                    self._ws.abort()
                    return
            except SocketClosed:
                return


def _close_frame(data: bytes) -> SocketClosed:
    if len(data) < 2:
        return SocketClosed(None, "LivePerson closed the socket without a close code")
    return SocketClosed(int.from_bytes(data[:2], "big"), data[2:].decode("utf-8", "replace"))
