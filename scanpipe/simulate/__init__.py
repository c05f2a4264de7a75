"""Simulated scans and letters for the samples, tests and benchmarks; the core never imports it."""
