"""LivePerson's validation of a brand's authentication, as plain Python (no Flask).

Each module is one step LivePerson performs; `authenticate.py` runs them in order and records
every check, which is what the stand-in's inspector shows and the checker reports.
"""
