"""Benchmarks of the brand backend on the machine it runs on: `python -m bench --help`.

They measure what limits LivePerson's code exchange: the raw RS256 signing rate, the token
endpoint's throughput and latency under gunicorn (1 and 2 workers, SQLite and PostgreSQL,
several worker models) with load from wrk, and the rate of conversations the LivePerson
stand-in authenticates; `python -m bench.profile` shows where a worker's time goes. Not part of
the test suite: it takes minutes and its figures are the point.
"""
