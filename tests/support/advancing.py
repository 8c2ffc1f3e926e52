"""A static `/metrics` capture turned into a service that keeps taking traffic.

The capture's counters never move, so every rate over it is 0 and every ratio
guarded against no traffic is empty. Scaling every cumulative sample (counter
values and histogram buckets, sums and counts) by the same growing factor
keeps the capture's proportions, so rates and ratios take the capture's own
shape while gauges stay as captured.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

_TYPE_RE = re.compile(r"^# TYPE (\S+) (\S+)")
_SAMPLE_RE = re.compile(
    r"^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?P<labels>\{.*\})? (?P<value>\S+)"
)
_CUMULATIVE_TYPES = {"counter", "histogram", "summary"}
_HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")


def cumulative_families(text: str) -> set[str]:
    """Return the names of the counter, histogram and summary families."""
    families = set()
    for line in text.splitlines():
        match = _TYPE_RE.match(line)
        if match and match[2] in _CUMULATIVE_TYPES:
            families.add(match[1])
    return families


def _is_cumulative(name: str, families: set[str]) -> bool:
    if name in families:
        return True
    return any(
        name.endswith(suffix) and name[: -len(suffix)] in families
        for suffix in _HISTOGRAM_SUFFIXES
    )


def scale_counters(text: str, factor: float) -> str:
    """Return `text` with every cumulative sample multiplied by `factor`."""
    families = cumulative_families(text)
    lines = []
    for line in text.splitlines():
        match = _SAMPLE_RE.match(line)
        if match and _is_cumulative(match["name"], families):
            value = float(match["value"]) * factor
            line = f"{match['name']}{match['labels'] or ''} {value!r}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def advancing_capture(text: str, growth_per_second: float = 0.05) -> Callable[[], str]:
    """Return a `/metrics` body whose counters grow by `growth_per_second`
    of their captured value every second from now on."""
    start = time.monotonic()

    def body() -> str:
        elapsed = time.monotonic() - start
        return scale_counters(text, 1 + growth_per_second * elapsed)

    return body
