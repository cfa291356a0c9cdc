"""Run blocking work (HTTP, the secret store, the SDK's calls) off the UI thread.

`run_in_background(work, on_done, on_error)` starts `work()` on a daemon thread and hands its
result (or the exception it raised) to `on_done` / `on_error` on Kivy's main thread, through
`kivy.clock.mainthread`. The UI thread never waits on the network.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from kivy.clock import mainthread


def run_in_background(
    work: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[Exception], None],
    name: str = "mobile-client-worker",
) -> threading.Thread:
    def target() -> None:
        try:
            result = work()
        except Exception as error:  # every failure goes to the UI, none is lost on the thread
            _deliver(on_error, error)
        else:
            _deliver(on_done, result)

    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    return thread


@mainthread
def _deliver(callback: Callable[[Any], None], value: Any) -> None:
    callback(value)
