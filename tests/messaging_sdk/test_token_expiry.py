"""Token expiry: `on_token_expired` fires once per expiry; the host app fetches a fresh code and
reconnects; the customer is the same. First with a clock the test moves (tokens valid an hour),
then with real tokens that expire after a couple of seconds."""

from __future__ import annotations

import threading
import time

from shared.messaging_sdk import MessagingClient
from tests.messaging_sdk.host_app import ACCOUNT, DemoApp, ManualScheduler, Recorder, conversations
from tests.support.servers import SHORT_LIFETIME

DEADLINE = SHORT_LIFETIME + 30  # seconds the short tokens may take to expire on a slow machine


class MovableClock:
    def __init__(self) -> None:
        self.at: float | None = None  # None: the real time

    def __call__(self) -> float:
        return time.time() if self.at is None else self.at


def test_check_expiry_fires_once_per_expiry(live_backend, standin):
    app, recorder, clock = DemoApp(live_backend), Recorder(), MovableClock()
    client = MessagingClient(standin.url, ACCOUNT, listener=recorder, clock=clock, schedule=ManualScheduler())
    first = client.start_conversation(app.code_params())
    assert first is not None and first.expires_at is not None, recorder.events

    assert client.check_expiry() is False  # valid for an hour
    clock.at = first.expires_at - 1
    assert client.check_expiry() is False
    clock.at = first.expires_at
    assert client.check_expiry() is True
    assert client.check_expiry() is False
    clock.at = first.expires_at + 100
    assert client.check_expiry() is False
    assert [event for event, _ in recorder.events] == ["started", "token_expired"]

    clock.at = None
    second = client.reconnect(app.code_params())
    assert second is not None, recorder.events
    assert second.sub == first.sub
    assert client.check_expiry() is False
    clock.at = second.expires_at
    assert client.check_expiry() is True
    assert client.check_expiry() is False
    assert [event for event, _ in recorder.events] == ["started", "token_expired", "started", "token_expired"]


def test_the_scheduled_check_waits_for_the_expiry_and_stale_checks_do_nothing(live_backend, standin):
    app, recorder, clock, scheduler = DemoApp(live_backend), Recorder(), MovableClock(), ManualScheduler()
    client = MessagingClient(standin.url, ACCOUNT, listener=recorder, clock=clock, schedule=scheduler)
    first = client.start_conversation(app.jwt_params())
    assert first is not None and first.expires_at is not None, recorder.events
    [(delay, _)] = scheduler.pending
    assert 0 < delay <= 3600

    scheduler.run_all()  # too early (a timer may fire early): it schedules the rest of the wait
    assert len(scheduler.pending) == 1
    assert recorder.named("token_expired") == []
    clock.at = first.expires_at
    scheduler.run_all()
    assert recorder.named("token_expired") == [None]
    assert scheduler.pending == []

    clock.at = None
    assert client.reconnect(app.jwt_params()) is not None
    clock.at = first.expires_at + 7200  # past the second token's expiry too
    client.end_conversation()
    scheduler.run_all()  # the second conversation's check, after it ended
    assert client.check_expiry() is False
    assert client.reconnect(app.jwt_params()) is None  # nothing to reconnect
    assert [event for event, _ in recorder.events] == ["started", "token_expired", "started"]


def test_a_check_scheduled_for_a_replaced_conversation_does_nothing(live_backend, standin):
    app, recorder, clock, scheduler = DemoApp(live_backend), Recorder(), MovableClock(), ManualScheduler()
    client = MessagingClient(standin.url, ACCOUNT, listener=recorder, clock=clock, schedule=scheduler)
    assert client.start_conversation(app.code_params()) is not None
    [(_, stale_check)] = scheduler.pending
    second = client.reconnect(app.code_params())
    assert second is not None and second.expires_at is not None
    scheduler.pending.clear()  # both checks are known; run only the stale one

    clock.at = second.expires_at - 1
    stale_check()

    assert recorder.named("token_expired") == []
    assert scheduler.pending == []  # and it did not schedule itself again


def wait_for_expiry(client: MessagingClient) -> None:
    """Poll `check_expiry` until it fires, within a deadline."""
    deadline = time.monotonic() + DEADLINE
    while not client.check_expiry():
        assert time.monotonic() < deadline, f"the token did not expire within {DEADLINE} s"
        time.sleep(0.05)


def test_a_real_token_expires_and_the_app_reconnects_with_a_fresh_code(short_backend, short_standin):
    app, recorder = DemoApp(short_backend), Recorder()
    client = MessagingClient(short_standin.url, ACCOUNT, listener=recorder, schedule=ManualScheduler())
    first = client.start_conversation(app.code_params())
    assert first is not None, recorder.events

    wait_for_expiry(client)

    assert client.check_expiry() is False
    assert recorder.named("token_expired") == [None]
    second = client.reconnect(app.code_params())  # what the host app does in on_token_expired
    assert second is not None, recorder.events
    assert second.sub == first.sub == app.customer_id()
    assert second.conversation_id != first.conversation_id
    assert second.expires_at > first.expires_at
    assert client.conversation == second
    assert [event for event, _ in recorder.events] == ["started", "token_expired", "started"]
    listed = {c["conversation_id"]: c for c in conversations(short_standin)}
    assert (listed[second.conversation_id]["channel"], listed[second.conversation_id]["sub"]) == (
        "mobile",
        first.sub,
    )


def test_the_default_timer_reports_the_expiry_on_its_own_thread(short_backend, short_standin):
    app, recorder = DemoApp(short_backend), Recorder()
    client = MessagingClient(short_standin.url, ACCOUNT, listener=recorder)
    first = client.start_conversation(app.jwt_params())
    assert first is not None, recorder.events

    assert recorder.token_expired.wait(DEADLINE), "on_token_expired did not arrive"

    assert client.check_expiry() is False  # already reported
    assert [event for event, _ in recorder.events] == ["started", "token_expired"]
    assert recorder.threads[1] is not threading.current_thread()
    second = client.reconnect(app.jwt_params())
    assert second is not None and second.sub == first.sub
    client.end_conversation()
