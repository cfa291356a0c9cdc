"""A command run in a real pseudo-terminal, as a person at a keyboard runs it: its stdin is a
terminal, /dev/tty works (getpass reads from it, with echo off), and the test reads what the
screen would show and types answers."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

# Runs in the child, a new session's leader: the first terminal it opens becomes its controlling
# terminal, which is what a login shell gives a command.
_ATTACH = (
    "import os, sys\n"
    "tty = os.open(sys.argv[1], os.O_RDWR)\n"
    "for fd in (0, 1, 2): os.dup2(tty, fd)\n"
    "os.execv(sys.argv[2], sys.argv[2:])\n"
)


class Terminal:
    def __init__(self, process: subprocess.Popen[bytes], master: int) -> None:
        self.process = process
        self._master = master
        self.screen = ""

    def expect(self, text: str, timeout: float = 30) -> None:
        """Read until `text` is on the screen."""
        deadline = time.monotonic() + timeout
        while text not in self.screen:
            if time.monotonic() > deadline or not self._read(deadline - time.monotonic()):
                raise AssertionError(f"{text!r} never appeared; the screen shows:\n{self.screen}")

    def type(self, text: str) -> None:
        os.write(self._master, text.encode())

    def wait(self, timeout: float = 60) -> int:
        """Read until the command exits; its exit status."""
        deadline = time.monotonic() + timeout
        while self._read(max(deadline - time.monotonic(), 0)):
            pass
        return self.process.wait(timeout=max(deadline - time.monotonic(), 1))

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self._master], [], [], max(timeout, 0))
        if not ready:
            return False
        try:
            chunk = os.read(self._master, 4096)
        except OSError:  # EIO: no process has the terminal open, before the command attaches or after
            if self.process.poll() is not None:
                return False
            time.sleep(0.05)
            return True
        self.screen += chunk.decode("utf-8", "replace")
        return bool(chunk)


@contextmanager
def in_terminal(command: Sequence[str], env: Mapping[str, str]) -> Iterator[Terminal]:
    master, slave = os.openpty()
    process = subprocess.Popen(
        [sys.executable, "-c", _ATTACH, os.ttyname(slave), *command],
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    os.close(slave)
    try:
        yield Terminal(process, master)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)
        os.close(master)
