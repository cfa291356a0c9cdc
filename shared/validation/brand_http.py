"""Calling a brand's server: every request LivePerson's side makes to one (discovery, JWKS, the
token endpoint, userinfo, the brand's API) goes through `request`.

A brand's answer is read as it arrives and no further than one byte past DOCUMENT_LIMIT, after
decompression, so a hostile or broken server cannot make the reader hold a body of any size (or
a gzip bomb) in memory. What was read is the response's `content`; `safe_json.loads` then
refuses an oversized one with its usual reason. requests' timeout bounds each wait for data; a
body still arriving `timeout` seconds after the request was sent is a timeout too, so a server
that drips its answer is treated as one that does not answer.
"""

from __future__ import annotations

import time
from typing import Any

import requests
import urllib3

from shared.validation.safe_json import DOCUMENT_LIMIT

_CHUNK = 64 * 1024


def request(method: str, url: str, *, timeout: float, **options: Any) -> requests.Response:
    """`requests.request`, its body bounded as the module says; raises what requests raises."""
    deadline = time.monotonic() + timeout
    with requests.request(method, url, timeout=timeout, stream=True, **options) as response:
        body = bytearray()
        try:
            # read1: what has arrived, rather than waiting for a whole chunk while a server drips.
            while len(body) <= DOCUMENT_LIMIT and (data := response.raw.read1(_CHUNK, decode_content=True)):
                body += data
                if time.monotonic() > deadline:
                    raise requests.Timeout(f"{url} was still sending its answer after {timeout} s")
        # As requests' own reading would raise them, so callers catch one family.
        except urllib3.exceptions.ReadTimeoutError as error:
            raise requests.Timeout(error) from error
        except urllib3.exceptions.HTTPError as error:
            raise requests.ConnectionError(error) from error
        # What `content` returns once read: requests keeps a streamed body there too.
        response._content = bytes(body[:DOCUMENT_LIMIT + 1])
    return response
