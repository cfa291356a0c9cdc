"""The checks `liveperson-check` runs, in one ordered list: the order of the report and of
the check table in docs/stand-in-and-checker.md. `CHECK_IDS` and the order in which the checks
run are derived from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from shared.checker.checks import delegation, discovery, id_token, refusals, token_exchange, userinfo
from shared.checker.reasons import CheckResult, Outcome, outcome
from shared.checker.run import Run, Target


@dataclass(frozen=True)
class Check:
    """One line of the report: its id, and the function that checks it."""

    id: str
    function: Callable[[Run], Outcome]
    # Runs once every check of the first code is done (see run_checks).
    after_first_code: bool = False
    # Runs only when a delegated scope is named (Target.delegation_scope): Consumer Delegation
    # is a feature LivePerson turns on per account, not a requirement.
    delegation: bool = False


CHECKS = (
    Check("discovery", discovery.discovery),
    Check("jwks", discovery.jwks),
    Check("token-exchange", token_exchange.token_exchange),
    Check("client-auth-basic", token_exchange.client_auth_basic, after_first_code=True),
    Check("client-auth-post", token_exchange.client_auth_post, after_first_code=True),
    Check("id-token-alg", id_token.id_token_alg),
    Check("id-token-kid", id_token.id_token_kid),
    Check("id-token-iss", id_token.id_token_iss),
    Check("id-token-times", id_token.id_token_times),
    Check("id-token-sub", id_token.id_token_sub),
    Check("lp-sdes", id_token.lp_sdes),
    # userinfo before code-reuse, since a reused code may revoke its tokens.
    Check("userinfo", userinfo.userinfo),
    Check("code-reuse", refusals.code_reuse),
    Check("redirect-uri-mismatch", refusals.redirect_uri_mismatch, after_first_code=True),
    Check("wrong-secret", refusals.wrong_secret, after_first_code=True),
    Check("pkce", refusals.pkce, after_first_code=True),
    # Last: it judges a successful exchange's headers, which client-auth-* record when
    # token-exchange made none.
    Check("no-store", refusals.no_store, after_first_code=True),
    # In this order: the API is called before the reuse revokes the grant, and after.
    Check("delegation-refresh", delegation.delegation_refresh, after_first_code=True, delegation=True),
    Check("delegation-api", delegation.delegation_api, after_first_code=True, delegation=True),
    Check("delegation-reuse", delegation.delegation_reuse, after_first_code=True, delegation=True),
    Check("delegation-revoked", delegation.delegation_revoked, after_first_code=True, delegation=True),
)
CHECK_IDS = tuple(check.id for check in CHECKS if not check.delegation)
DELEGATION_CHECK_IDS = tuple(check.id for check in CHECKS if check.delegation)


def run_checks(target: Target) -> list[CheckResult]:
    """Every check against `target`, reported in CHECKS's order. Never raises for the brand's faults."""
    run = Run(target)
    chosen = [check for check in CHECKS if not check.delegation or target.delegation_scope is not None]
    # The first code's checks, through its replay by code-reuse, run before those that ask for
    # codes of their own, so that the replay comes soon after the exchange: a code refused for
    # having expired proves nothing about reuse. The sort is stable.
    ordered = sorted(chosen, key=lambda check: check.after_first_code)
    results = {check.id: outcome(check.id, partial(check.function, run)) for check in ordered}
    return [results[check.id] for check in chosen]
