"""Every exchange with the brand the IdP made, newest first, for the inspector: what was sent,
what came back, each check. Kept in memory (the newest `KEEP`): they are a debugging record;
conversations, which must outlive a restart, are in the store."""

from __future__ import annotations

import threading
from collections import deque

from shared.validation.authenticate import Exchange

KEEP = 500


class ExchangeLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._exchanges: deque[Exchange] = deque(maxlen=KEEP)

    def record(self, exchange: Exchange) -> None:
        with self._lock:
            self._exchanges.appendleft(exchange)

    def exchanges(self) -> list[Exchange]:
        with self._lock:
            return list(self._exchanges)
