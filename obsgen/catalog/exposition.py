"""A parser for the Prometheus text exposition format (version 0.0.4).

It reads what a `/metrics` endpoint serves, OpenMetrics' `# EOF` and
`_created` conventions included, and returns the metric families with the
label names and histogram buckets seen in the samples. `prometheus_client`
ships a parser too, but obsgen does not depend on it for this one use.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from obsgen.catalog.model import Catalog, Metric, MetricType
from obsgen.errors import ConfigError, SourceLocation

_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
_SAMPLE = re.compile(rf"^(?P<name>{_NAME})\s*(?P<labels>\{{.*\}})?\s*(?P<rest>.*)$")
_LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(,|$)')
_VALUE = re.compile(r"^(?P<value>\S+)(?:\s+(?P<timestamp>-?\d+(?:\.\d+)?))?\s*$")
_TYPES = {metric_type.value: metric_type for metric_type in MetricType}
# OpenMetrics types that the 0.0.4 format spells differently.
_TYPE_ALIASES = {"unknown": MetricType.UNTYPED, "info": MetricType.GAUGE}
_SUFFIXES = {
    MetricType.COUNTER: ("_total", "_created"),
    MetricType.HISTOGRAM: ("_bucket", "_sum", "_count", "_created"),
    MetricType.SUMMARY: ("_sum", "_count", "_created"),
}


@dataclass
class Family:
    """A metric family as an exposition declares it."""

    name: str
    type: MetricType = MetricType.UNTYPED
    help: str = ""
    labels: set[str] = field(default_factory=set)
    buckets: set[float] = field(default_factory=set)
    sample_names: set[str] = field(default_factory=set)


def _error(message: str, path: Path, line: int) -> ConfigError:
    return ConfigError(
        f"invalid exposition format: {message}",
        location=SourceLocation(str(path), line),
        hint="pass the text a /metrics endpoint serves (Prometheus text format)",
    )


def _parse_labels(text: str, path: Path, line: int) -> dict[str, str]:
    inner = text[1:-1]
    labels: dict[str, str] = {}
    position = 0
    while position < len(inner) and inner[position:].strip():
        match = _LABEL.match(inner, position)
        if match is None:
            raise _error(f"invalid label set {text}", path, line)
        labels[match.group(1)] = match.group(2)
        position = match.end()
    return labels


def _family_for(name: str, families: dict[str, Family]) -> Family:
    if name in families:
        return families[name]
    for family in families.values():
        for suffix in _SUFFIXES.get(family.type, ()):
            if name == family.name + suffix:
                return family
    families[name] = Family(name)
    return families[name]


def _parse_comment(
    line: str, families: dict[str, Family], path: Path, number: int
) -> None:
    parts = line.split(None, 3)
    if len(parts) < 3 or parts[1] not in ("HELP", "TYPE"):
        return
    name = parts[2]
    family = families.setdefault(name, Family(name))
    text = parts[3] if len(parts) > 3 else ""
    if parts[1] == "HELP":
        family.help = text.replace("\\n", "\n").replace("\\\\", "\\")
        return
    metric_type = _TYPES.get(text.strip()) or _TYPE_ALIASES.get(text.strip())
    if metric_type is None:
        raise _error(f"unknown metric type {text.strip()!r} of {name}", path, number)
    family.type = metric_type


def _parse_sample(
    line: str, families: dict[str, Family], path: Path, number: int
) -> None:
    match = _SAMPLE.match(line)
    if match is None:
        raise _error(f"invalid sample line {line!r}", path, number)
    labels = _parse_labels(match.group("labels") or "{}", path, number)
    value = _VALUE.match(match.group("rest"))
    if value is None or not _is_number(value.group("value")):
        raise _error(f"invalid sample value in {line!r}", path, number)

    name = match.group("name")
    family = _family_for(name, families)
    family.sample_names.add(name)
    if name == family.name + "_bucket" and "le" in labels:
        bound = float(labels["le"])
        if math.isfinite(bound):
            family.buckets.add(bound)
    family.labels |= set(labels) - {"le", "quantile"}


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def parse_exposition(text: str, path: Path) -> list[Family]:
    """Parse exposition `text` read from `path` into its metric families."""
    families: dict[str, Family] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line == "# EOF":
            continue
        if line.startswith("#"):
            _parse_comment(line, families, path, number)
        else:
            _parse_sample(line, families, path, number)
    return list(families.values())


def _catalog_name(family: Family) -> str:
    # OpenMetrics names a counter family without `_total`; queries use the
    # series name, so the catalog lists the counter as its series.
    if family.type is MetricType.COUNTER and not family.name.endswith("_total"):
        return family.name + "_total"
    return family.name


def catalog_from_exposition(
    text: str,
    path: Path,
    target_labels: Iterable[str] = (),
    known_labels: dict[str, Iterable[str]] | None = None,
) -> Catalog:
    """Build a catalog from an exposition.

    A family without samples has unknown labels unless `known_labels` names
    them, such as labels read from the service's source code.
    """
    known_labels = known_labels or {}
    metrics = {}
    for family in parse_exposition(text, path):
        name = _catalog_name(family)
        labels: frozenset[str] | None = frozenset(family.labels)
        if name in known_labels:
            labels = frozenset(known_labels[name]) | frozenset(family.labels)
        elif not family.sample_names:
            labels = None
        metrics[name] = Metric(
            name=name,
            type=family.type,
            help=family.help,
            labels=labels,
            buckets=tuple(sorted(family.buckets)),
        )
    return Catalog(metrics, frozenset(target_labels), str(path))
