"""Benchmarks: ``python -m bench.latency`` (end-to-end latency), ``python -m bench.replay`` (replay rate)."""
