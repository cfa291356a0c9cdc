"""A consumer of the stand-in's LivePerson API, as a test drives it: the IdP over `requests`,
the messaging WebSocket over `websocket-client` (neither written by this project). Frames go
out and come back as they are on the wire; the helpers only wait for the one a test expects."""

from __future__ import annotations

import base64
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

import requests
import websocket

from shared import contract
from tests.support.servers import LiveServer

ACCOUNT = contract.STANDIN_ACCOUNT
TIMEOUT = 15


def idp(standin: LiveServer, path: str, token: str | None = None, **body: Any) -> requests.Response:
    """POST to the IdP's `signup` or `authenticate`; `token` goes in `Authorization: jwt`."""
    headers = {"Authorization": f"jwt {token}"} if token else {}
    return requests.post(f"{standin.url}/api/account/{ACCOUNT}/{path}", json=body or None, headers=headers,
                         timeout=TIMEOUT)


def signup(standin: LiveServer, token: str | None = None) -> str:
    answer = idp(standin, "signup", token)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["jwt"])


def claims(token: str) -> dict[str, Any]:
    """The consumer token's payload, read as a client reads it: without verifying."""
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


@dataclass
class Socket:
    ws: websocket.WebSocket
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    notifications: list[dict[str, Any]] = field(default_factory=list)

    def request(self, kind: str, body: Any = None, **extra: Any) -> dict[str, Any]:
        """Send a request; return its response (notifications meanwhile are kept)."""
        request_id = str(next(self.ids))
        frame: dict[str, Any] = {"kind": "req", "id": request_id, "type": kind, **extra}
        if body is not None:
            frame["body"] = body
        self.ws.send(json.dumps(frame))
        return self.response_to(request_id)

    def response_to(self, request_id: str | None) -> dict[str, Any]:
        while True:
            frame = self.receive()
            if frame["kind"] == "resp" and frame["reqId"] == request_id:
                return frame
            self.notifications.append(frame)

    def notification(self, kind: str) -> dict[str, Any]:
        """The first kept or next notification of `kind`, taken from the kept ones."""
        for index, frame in enumerate(self.notifications):
            if frame["type"] == kind:
                return self.notifications.pop(index)
        while True:
            frame = self.receive()
            if frame.get("kind") == "notification" and frame["type"] == kind:
                return frame
            self.notifications.append(frame)

    def receive(self) -> dict[str, Any]:
        return dict(json.loads(self.ws.recv()))

    def closed(self) -> tuple[int, str]:
        """Wait for the server to close the socket; its close code and reason."""
        try:
            while True:
                opcode, data = self.ws.recv_data(control_frame=True)
                if opcode == websocket.ABNF.OPCODE_CLOSE:
                    return int.from_bytes(data[:2], "big"), data[2:].decode()
        finally:
            self.ws.shutdown()

    def open_conversation(self) -> str:
        answer = self.request("cm.ConsumerRequestConversation")
        assert answer["code"] == 200, answer
        return str(answer["body"]["conversationId"])

    def send_text(self, conversation_id: str, text: str) -> dict[str, Any]:
        event = {"type": "ContentEvent", "contentType": "text/plain", "message": text}
        return self.request("ms.PublishEvent", {"dialogId": conversation_id, "event": event})

    def close(self) -> None:
        self.ws.close()


OPEN: list[Socket] = []  # every socket a test opened, closed after it (tests/liveperson/conftest.py)


def connect(standin: LiveServer, token: str | None, account: str = ACCOUNT) -> Socket:
    """The messaging WebSocket, with the token in the handshake's Authorization header."""
    url = standin.url.replace("http://", "ws://") + f"/ws_api/account/{account}/messaging/consumer?v=3"
    headers = [f"Authorization: jwt {token}"] if token else []
    socket = Socket(websocket.create_connection(url, header=headers, timeout=TIMEOUT))
    OPEN.append(socket)
    return socket


def close_all() -> None:
    while OPEN:
        OPEN.pop().ws.close()


def agent_get(standin: LiveServer, path: str = "") -> dict[str, Any]:
    """The agent's API (`/api/agent/conversations...`), as the workspace page reads it."""
    answer = requests.get(f"{standin.url}/api/agent/conversations{path}", timeout=TIMEOUT)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def agent_post(standin: LiveServer, path: str, body: dict[str, Any] | None = None) -> requests.Response:
    return requests.post(f"{standin.url}/api/agent/conversations{path}", json=body, timeout=TIMEOUT)
