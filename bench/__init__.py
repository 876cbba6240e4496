"""Benchmark harness: scripts that measure, never assert timings."""
