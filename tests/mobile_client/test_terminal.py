"""`python -m mobile_client.terminal`, the README's way to chat from a terminal: a real process
against the real backend and stand-in, the test playing the agent through the workspace's API."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from backend.cli import DEMO_USER
from tests.support.consumer import agent_get, agent_post
from tests.support.servers import ROOT, LiveServer

TIMEOUT = 30


@dataclass
class Terminal:
    process: subprocess.Popen[str]
    lines: queue.Queue[str]

    def type(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def shows(self, text: str) -> str:
        """The first line printed from now on that contains `text`."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                continue
            if text in line:
                return line
        raise AssertionError(f"the terminal never showed {text!r}")


@contextmanager
def terminal(backend: LiveServer, standin: LiveServer, *options: str) -> Iterator[Terminal]:
    env = {**os.environ, "BRAND_PASSWORD": DEMO_USER["password"], "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "mobile_client.terminal", "--backend-url", backend.url,
               "--liveperson-url", standin.url, *options]
    process = subprocess.Popen(command, cwd=ROOT, env=env, text=True, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    reader = threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True)
    reader.start()
    try:
        yield Terminal(process, lines)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(TIMEOUT)
        reader.join(TIMEOUT)
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()


def conversation_of(standin: LiveServer, line: str) -> dict:  # type: ignore[type-arg]
    conversation_id = line.split("In conversation ", 1)[1].split(" ", 1)[0]
    return agent_get(standin, f"/{conversation_id}")


def test_a_customer_chats_with_the_agent_from_a_terminal(backend, standin):
    with terminal(backend, standin) as chat:
        started = chat.shows("In conversation")
        assert "as customer" in started
        chat.type("Hello from a terminal")
        conversation = conversation_of(standin, started)
        assert conversation["authenticated"] is True
        assert conversation["consumer"]["email"] == DEMO_USER["email"]
        assert chat.shows("you: Hello from a terminal")
        reply = {"text": "Hi, how can I help?"}
        assert agent_post(standin, f"/{conversation['conversationId']}/messages", reply).status_code == 201
        assert chat.shows("agent: Hi, how can I help?")
        chat.type("/close")
        assert chat.process.wait(TIMEOUT) == 0
        closed = agent_get(standin, f"/{conversation['conversationId']}")
        assert (closed["state"], closed["closeReason"]) == ("CLOSE", "CONSUMER")


def test_a_visitor_logs_in_and_the_conversation_steps_up(backend, standin):
    with terminal(backend, standin, "--visitor") as chat:
        started = chat.shows("In conversation")
        assert "unauthenticated visitor" in started
        chat.type("Do you ship abroad?")
        assert chat.shows("you: Do you ship abroad?")
        chat.type("/login")
        stepped = chat.shows("In conversation")
        assert stepped.split()[2] == started.split()[2]  # the same conversation
        assert "as customer" in stepped
        conversation = conversation_of(standin, stepped)
        assert conversation["steppedUp"] is True
        assert [m["text"] for m in conversation["messages"]] == ["Do you ship abroad?"]
        chat.process.stdin.close()  # Ctrl-D: leaves, the conversation stays open
        assert chat.process.wait(TIMEOUT) == 0
        assert agent_get(standin, f"/{conversation['conversationId']}")["state"] == "OPEN"
