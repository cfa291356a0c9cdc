"""Benchmarks of the brand backend on the machine it runs on: `python -m bench --help`.

They measure what limits LivePerson's code exchange: the raw RS256 signing rate, the token
endpoint's throughput and latency under gunicorn (1 and 2 workers, SQLite and PostgreSQL,
several worker models), and the end-to-end rate of authenticated conversations through the
LivePerson stand-in. Not part of the test suite: it takes minutes and its figures are the point.
"""
