"""The checks, one module per area of the check table of docs/stand-in-and-checker.md. Each
check takes the run and returns (status, reason); `shared.checker.registry` lists them in the
order they are reported.

The rules themselves live in `shared.validation` and are reused here, so the checker fails
exactly where the LivePerson stand-in would. Checks that redeem codes of their own get fresh ones
from the backend's app API when given a login; with a single hand-made code they are reported as
skipped (WARN).
"""
