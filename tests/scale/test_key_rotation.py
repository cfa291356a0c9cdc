"""`flask rotate-keys` beside running instances: the new key is published by every instance at
once, every instance signs with it once its activation time has come, and tokens signed with
the old key keep verifying everywhere."""

from __future__ import annotations

import time
from functools import partial

from tests.support.deployment import (
    KEY_REFRESH_INTERVAL,
    Deployment,
    jwks,
    kids,
    redeem,
    together,
    verified,
)
from tests.support.http_api import api_login, issue_code

# Generous: the new key signs KEY_REFRESH_INTERVAL after the rotation; the rest is for a busy
# machine. Only exceeding this deadline fails the test.
DEADLINE = KEY_REFRESH_INTERVAL + 60
# Simultaneous redemptions per poll: twice an instance's workers, so that each worker signs
# some; one worker keeping a stale key list would otherwise go unseen.
BATCH = 4
STREAK = 3  # consecutive batches signed only with the new key
POLL_PAUSE = 0.2


def signed_together(base: str, session_token: str) -> list[str]:
    """BATCH id_tokens signed by the instance at `base` at the same time."""
    codes = [issue_code(base, session_token) for _ in range(BATCH)]
    responses = together([partial(redeem, base, code) for code in codes])
    for response in responses:
        assert response.status_code == 200, response.text
    return [response.json()["id_token"] for response in responses]


def test_rotated_key_is_published_everywhere_then_signs_everywhere(
    deployment: Deployment, demo_sub: str
) -> None:
    """The new kid is in both JWKS on the next request; within the deadline each instance
    signs only with it; old and new tokens verify against each instance's JWKS."""
    instances = [deployment.a.url, deployment.b.url]
    session_token = api_login(instances[0])
    # Every worker signs, and so caches its key list, before the rotation.
    old_tokens = [token for base in instances for token in signed_together(base, session_token)]
    published = kids(jwks(instances[0]))

    deployment.flask("rotate-keys")

    # Published by every instance on the very next request: the JWKS is never stale.
    new_kids = kids(jwks(instances[0])) - published
    assert len(new_kids) == 1, new_kids
    (new_kid,) = new_kids
    key_sets = {base: jwks(base) for base in instances}
    for key_set in key_sets.values():
        assert kids(key_set) == published | {new_kid}

    deadline = time.monotonic() + DEADLINE
    new_tokens = []
    for base in instances:
        streak = 0
        while streak < STREAK:
            assert time.monotonic() < deadline, f"{base} still signs with the old key"
            tokens = signed_together(base, session_token)
            # Every token verifies against the JWKS served since the rotation: no unknown kid.
            signers = {verified(token, key_sets[base], demo_sub).header["kid"] for token in tokens}
            if signers == {new_kid}:
                streak += 1
                new_tokens += tokens
            else:
                streak = 0
                time.sleep(POLL_PAUSE)

    for base in instances:
        key_set = jwks(base)
        for token in old_tokens + new_tokens:
            verified(token, key_set, demo_sub)
