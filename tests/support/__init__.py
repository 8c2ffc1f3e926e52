"""Helpers that tests share: real Prometheus processes, obsgen runs, bundle reading."""
