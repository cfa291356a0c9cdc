"""The README's pictures show what bin/demo shows: while bin/screenshots refreshes them, the servers
they show listen on bin/demo's default ports; every other server, and every other run, takes a free
port, so that the tests run beside a demo."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support import servers

DEMO = Path(__file__).resolve().parents[2] / "bin" / "demo"
# bin/demo's port variables, and the server each places.
VARIABLES = {"BACKEND_BIND": "backend", "WEB_CLIENT_PORT": "web_client", "LIVEPERSON_PORT": "liveperson"}


def demo_defaults() -> dict[str, int]:
    """Each server's port when bin/demo runs without its variables, read from the script."""
    defaults = dict(re.findall(r"\$\{(\w+):-(?:127\.0\.0\.1:)?(\d+)\}", DEMO.read_text()))
    return {server: int(defaults[variable]) for variable, server in VARIABLES.items()}


def test_the_pictures_servers_take_bin_demos_ports_while_they_are_refreshed(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UPDATE_README_SCREENSHOTS", "1")
    demo = demo_defaults()
    assert {server: servers.port_for(server, in_readme=True) for server in demo} == demo
    assert servers.port_for("backend") != demo["backend"]  # a server no picture shows


def test_otherwise_no_server_takes_a_port_of_bin_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("UPDATE_README_SCREENSHOTS", raising=False)
    demo = demo_defaults()
    assert not {servers.port_for(server, in_readme=True) for server in demo} & set(demo.values())
