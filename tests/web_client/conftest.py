"""Browser tests of the brand's website: real headless Chromium, driven by Playwright, against real
processes on loopback (the backend under gunicorn, LivePerson stand-ins, the web client;
tests/support/browser.py).

Processes are shared where the tests allow it: one backend, and one stand-in + web client per
LivePerson account setting (code, code with PKCE, implicit, a custom method, no guests), for the
whole package. Tests that need
another backend configuration (JWE, short token lifetime, a backend that goes down) start their own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.browser import Site, brand_stack


@pytest.fixture(scope="package")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    custom = ["--js-method", "getBrandCode", "--js-context", "brandApp.chat"]
    flags = {"code": [], "pkce": ["--pkce"], "implicit": ["--flow", "implicit"], "custom": custom,
             "members_only": ["--no-unauthenticated-messaging"]}
    # The flow set on the site, so the page takes the name from its own settings, not the stand-in's.
    web = {"custom": [*custom, "--flow", "code"]}
    with brand_stack(tmp_path_factory.mktemp("web_site"), flags, popout="code", web_options=web,
                     in_readme=True) as (backend, brands):
        yield Site(backend=backend, **brands)

