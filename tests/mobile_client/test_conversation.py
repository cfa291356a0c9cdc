"""Both flows reach an authenticated conversation whose customer id is the user's `sub`."""

from __future__ import annotations

import pytest

from tests.mobile_client.helpers import conversations, customer_id, exchanges
from tests.support import servers


@pytest.mark.parametrize("flow", ["code", "implicit"])
def test_the_flow_chosen_in_settings_authenticates_the_customer(drive, backend, standin, flow):
    other = "implicit" if flow == "code" else "code"
    app = drive(backend.url, standin.url, flow=other)
    app.log_in()
    assert app.current == "home"

    app.press("home", "settings_button")
    app.press("settings", f"flow_{flow}")
    assert app.widget("settings", f"flow_{flow}").state == "down"
    assert app.widget("settings", f"flow_{other}").state == "normal"
    app.screenshot(f"settings-{flow}")
    app.press("settings", "back_button")
    app.press("home", "chat_button")
    assert app.current == "conversation"
    conversation = app.screen("conversation")
    app.wait_until(lambda: not conversation.connecting, "the conversation to start")

    sub = customer_id(backend)
    assert app.text("conversation", "conversation_status") == f"Authenticated as customer {sub} ({flow} flow)"
    started = app.app.messaging.conversation
    assert started is not None and started.sub == sub and started.flow == flow
    [listed] = [c for c in conversations(standin) if c["conversation_id"] == started.conversation_id]
    assert (listed["sub"], listed["channel"], listed["flow"]) == (sub, "mobile", flow)
    assert started.conversation_id in app.text("conversation", "messages")
    app.screenshot(f"conversation-{flow}")

    app.press("conversation", "back_button")
    assert app.current == "home"
    assert app.app.messaging.conversation is None


def test_pkce_chosen_in_settings_satisfies_an_account_that_requires_it(drive, backend, tmp_path):
    with servers.standin(tmp_path, backend.url, "--pkce") as pkce_standin:
        app = drive(backend.url, pkce_standin.url)
        app.log_in()
        screen = app.screen("conversation")

        app.press("home", "chat_button")  # without a code verifier: refused
        app.wait_until(lambda: not screen.connecting, "the refusal")
        assert screen.failed
        assert "no code_verifier" in app.text("conversation", "conversation_status")
        app.press("conversation", "back_button")

        app.press("home", "settings_button")
        app.press("settings", "pkce")
        assert app.text("settings", "pkce") == "PKCE (code verifier): on"
        app.screenshot("settings-pkce")
        app.press("settings", "back_button")
        app.press("home", "chat_button")
        app.wait_until(lambda: not screen.connecting, "the conversation to start")

        sub = customer_id(backend)
        assert (
            app.text("conversation", "conversation_status") == f"Authenticated as customer {sub} (code flow)"
        )
        first, second = sorted(exchanges(pkce_standin), key=lambda exchange: exchange["id"])
        assert ("pkce", "fail") in [(c["id"], c["status"]) for c in first["checks"]]
        assert ("pkce", "pass") in [(c["id"], c["status"]) for c in second["checks"]]
        assert second["channel"] == "mobile" and second["failure"] is None
