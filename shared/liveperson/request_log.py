"""The development server's request log, with codes and tokens in URLs masked: the pop-out
window receives the brand's code in its address (`/le_unified_window/index.html?code=...`), and
the log is a record like any other (shared/validation/masking.py)."""

from __future__ import annotations

from werkzeug.serving import WSGIRequestHandler

from shared.validation.masking import masked_url


class MaskedRequestLog(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if isinstance(getattr(self, "path", None), str):  # unset when the request line was bad
            self.path = masked_url(self.path)
        super().log_request(code, size)
