"""`python -m mobile_client` on a headless Linux (no libmtdev, no xclip/xsel, SDL offscreen): a
quiet start at Kivy's "info" level, no DEBUG line, no CRITICAL, no traceback; the absent
components said once, in one line each."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux providers")
def test_headless_start_is_quiet(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIVY_")}
    env.update(SDL_VIDEODRIVER="offscreen", KIVY_HOME=str(tmp_path), KIVY_NO_FILELOG="1")
    env.pop("DISPLAY", None)
    app = subprocess.Popen(
        [sys.executable, "-m", "mobile_client", "--backend-url", "http://127.0.0.1:9",
         "--liveperson-url", "http://127.0.0.1:9"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    try:
        assert app.stdout is not None
        deadline = time.monotonic() + 60
        for line in app.stdout:
            lines.append(line)
            if "Start application main loop" in line or time.monotonic() > deadline:
                break
    finally:
        app.send_signal(signal.SIGTERM)
        try:
            app.wait(timeout=10)
        except subprocess.TimeoutExpired:
            app.kill()
            app.wait()
        if app.stdout:
            app.stdout.close()
    output = "".join(lines)
    assert "Start application main loop" in output, output
    for noise in ("DEBUG", "CRITICAL", "Traceback", "ERROR"):
        assert noise not in output, output
