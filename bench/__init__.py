"""Benchmarks: answer quality on ../shared/bench and speed at scale (see docs/benchmarks.md)."""
