"""Brand-controlled text made safe for a terminal: an error_description, a claim or a URL from the
discovery document may carry escape sequences that clear the screen or fake a line such as
"ALL CHECKS PASSED".

Every control character is written out as a visible escape (`\\x1b`, `\\x9b`, `\\u202e`): C0
(ESC and the others), DEL, C1 (whose 0x9B is a one-character CSI), the bidirectional overrides
that reorder what the reader sees, and lone surrogates, which stdout could not even encode.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f"  # C0, DEL, C1
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidirectional marks, embeddings, overrides
    "\u2028\u2029"  # line and paragraph separators
    "\ud800-\udfff]"  # lone surrogates
)


def printable(text: str) -> str:
    return _UNSAFE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"
