"""Benchmarks that print figures anyone can rerun; separate from the tests."""
