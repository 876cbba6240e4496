"""Helpers that other languages' test suites run: real servers and a real worker on demand."""
