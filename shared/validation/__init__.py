"""LivePerson's validation of a brand's authentication, as plain Python (no Flask).

Each module is one step LivePerson performs; `authenticate.py` runs them in order and records
every check, which is what the stand-in's inspector shows and the checker reports. Beside the
steps: `safe_json.py` reads whatever JSON others wrote, `masking.py` makes records safe to show,
and `secret_input.py` is how the tools built on this package take a secret.
"""
