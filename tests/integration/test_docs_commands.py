"""The shell blocks of README.md and docs/*.md marked `<!-- runnable -->` work as written: each
runs in a fresh shell (no virtual environment activated, none of the project's settings) from
the repository root, against a live `bin/demo` (tests/support/demo.py), and must exit 0.

`<!-- runnable: prints "a" "b" -->` also requires those strings in what the block prints. The
demo runs on its own ports, as the blocks name them; while a developer's demo holds them, the
test is skipped."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import demo
from tests.support.demo import ROOT, Demo
from tests.support.servers import DEMO_PORTS

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc for the children")

DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^<!-- runnable(?:: prints (?P<prints>.*?))? -->\n```sh\n(?P<script>.*?)^```$",
                   re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class Block:
    document: Path
    line: int
    script: str
    prints: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"{self.document.relative_to(ROOT)}:{self.line}"


def runnable_blocks() -> list[Block]:
    blocks = []
    for document in DOCUMENTS:
        text = document.read_text()
        for match in BLOCK.finditer(text):
            prints = tuple(re.findall(r'"([^"]*)"', match["prints"] or ""))
            line = text.count("\n", 0, match.start()) + 1
            blocks.append(Block(document, line, match["script"], prints))
    return blocks


BLOCKS = runnable_blocks()


@pytest.fixture(scope="module")
def live_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    busy = demo.busy_ports(list(DEMO_PORTS.values()))
    if busy:
        pytest.skip(f"bin/demo's ports {busy} are taken (a demo running?): stop it to run the docs' commands")
    checkout = demo.copy_checkout(tmp_path_factory.mktemp("docs_demo"))
    with demo.running(checkout, demo.environment(DEMO_PORTS)) as running:
        yield running


def test_the_quick_start_and_going_live_have_runnable_blocks() -> None:
    """The marker is what puts a block under test: losing it must not pass unnoticed."""
    documents = {block.document.name for block in BLOCKS}
    assert {"README.md", "going-live.md", "stand-in-and-checker.md"} <= documents


@pytest.mark.parametrize("block", BLOCKS, ids=[block.name for block in BLOCKS])
def test_runnable_block_works_as_written(block: Block, live_demo: Demo, tmp_path: Path) -> None:
    fresh_shell = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    result = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", block.script],
                            cwd=live_demo.checkout, env=fresh_shell, capture_output=True, text=True,
                            timeout=120, stdin=subprocess.DEVNULL, check=False)
    shown = result.stdout + result.stderr
    assert result.returncode == 0, f"{block.name} failed ({result.returncode}):\n{shown}"
    for expected in block.prints:
        assert expected in shown, f"{block.name} did not print {expected!r}:\n{shown}"
