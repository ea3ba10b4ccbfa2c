"""Benchmarks: `python -m bench.updates` (see README, Performance)."""
