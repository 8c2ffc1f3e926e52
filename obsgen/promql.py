"""Small helpers for writing PromQL and alert text from configuration values."""

from __future__ import annotations

import json

from obsgen.duration import parse_duration


def number(value: float) -> str:
    """Format a threshold for PromQL: `2` rather than `2.0`, `0.05` as is."""
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


def percent(ratio: float) -> str:
    """Format a ratio as a percentage for people, such as 0.05 as `5%`."""
    return f"{number(round(ratio * 100, 6))}%"


def seconds(duration: str) -> str:
    """Format a Prometheus duration such as `4h` as whole seconds, `14400`."""
    return str(parse_duration(duration) // 1000)


def quote(value: str) -> str:
    """Quote a label value for a PromQL matcher, escaping quotes and backslashes.

    PromQL strings take Go's escapes, which JSON's are a subset of.
    """
    return json.dumps(value, ensure_ascii=False)
