"""Prometheus durations such as `30s`, `5m` and `1h30m`."""

from __future__ import annotations

import re

# The units Prometheus accepts, largest first, in milliseconds. _DURATION_RE
# requires them in this order, each at most once, as Prometheus'
# model.ParseDuration does.
_UNITS_MS = {
    "y": 365 * 24 * 3600 * 1000,
    "w": 7 * 24 * 3600 * 1000,
    "d": 24 * 3600 * 1000,
    "h": 3600 * 1000,
    "m": 60 * 1000,
    "s": 1000,
    "ms": 1,
}
_DURATION_RE = re.compile(
    r"^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$"
)

DURATION_HINT = "write a Prometheus duration such as 30s, 5m or 1h30m"


def parse_duration(text: str) -> int:
    """Return the length of a Prometheus duration in milliseconds.

    Raises ValueError for text that Prometheus would reject. `0` is accepted,
    as Prometheus does.
    """
    if not isinstance(text, str):
        raise ValueError(f"expected a string, got {type(text).__name__}")
    if text == "0":
        return 0
    match = _DURATION_RE.match(text)
    if text == "" or match is None:
        raise ValueError(f"invalid duration {text!r}")
    total = 0
    for amount, unit_ms in zip(match.groups(), _UNITS_MS.values(), strict=True):
        if amount is not None:
            total += int(amount) * unit_ms
    return total


def format_duration(milliseconds: int) -> str:
    """Format milliseconds as the shortest Prometheus duration, `0s` for zero."""
    if milliseconds == 0:
        return "0s"
    parts = []
    remainder = milliseconds
    for unit, unit_ms in _UNITS_MS.items():
        # Years and weeks are left to days, as Prometheus prints them.
        if unit in ("y", "w"):
            continue
        amount, remainder = divmod(remainder, unit_ms)
        if amount:
            parts.append(f"{amount}{unit}")
    return "".join(parts)
