"""The catalog model and its YAML file format.

A catalog file looks like this::

    target_labels: [instance, job, namespace, pod]
    metrics:
      http_requests_total:
        type: counter
        help: Total HTTP requests
        labels: [endpoint, method, status]
      http_request_duration_seconds:
        type: histogram
        labels: [endpoint, method]
        buckets: [0.005, 0.01, 0.025]

`target_labels` are the labels Prometheus attaches to every series of the
service at scrape time. A histogram or summary is listed under its family
name and stands for its `_bucket`, `_sum` and `_count` series. A metric
without `labels` has labels that are not known yet, so lint checks none of them.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from obsgen.errors import ConfigError
from obsgen.render.serialize import dump_yaml
from obsgen.yamlsource import LocatedDocument, format_json_path, load_yaml


class MetricType(enum.StrEnum):
    """A metric type as the Prometheus text format names it."""

    COUNTER = "counter"
    GAUGE = "gauge"
    HISTOGRAM = "histogram"
    SUMMARY = "summary"
    UNTYPED = "untyped"


# Series that a histogram or summary family exposes, and what each one is.
_FAMILY_SUFFIXES = {
    MetricType.HISTOGRAM: ("_bucket", "_sum", "_count"),
    MetricType.SUMMARY: ("_sum", "_count"),
}


@dataclass(frozen=True)
class Metric:
    """One metric family of the catalog."""

    name: str
    type: MetricType
    help: str = ""
    labels: frozenset[str] | None = None
    buckets: tuple[float, ...] = ()

    def series_names(self) -> tuple[str, ...]:
        """Return the names of the series this family exposes."""
        suffixes = _FAMILY_SUFFIXES.get(self.type)
        if suffixes is None:
            return (self.name,)
        names = tuple(self.name + suffix for suffix in suffixes)
        return (self.name, *names) if self.type is MetricType.SUMMARY else names


@dataclass(frozen=True)
class SeriesInfo:
    """The catalog entry of one series name."""

    metric: Metric
    # `counter`, `gauge` or `untyped`: the type of this series itself, so a
    # histogram's `_bucket` series is a counter.
    series_type: MetricType
    labels: frozenset[str] | None


@dataclass(frozen=True)
class Catalog:
    """The metrics one service exposes, by family name."""

    metrics: Mapping[str, Metric]
    target_labels: frozenset[str] = field(default_factory=frozenset)
    path: str = ""

    def series(self, name: str) -> SeriesInfo | None:
        """Return the catalog entry of the series called `name`."""
        metric = self.metrics.get(name)
        if metric is not None and metric.type not in _FAMILY_SUFFIXES:
            return SeriesInfo(metric, metric.type, self._labels(metric, ()))
        if metric is not None and metric.type is MetricType.SUMMARY:
            return SeriesInfo(
                metric, MetricType.GAUGE, self._labels(metric, ("quantile",))
            )
        for suffix in ("_bucket", "_sum", "_count"):
            if not name.endswith(suffix):
                continue
            family = self.metrics.get(name[: -len(suffix)])
            if family is None or suffix not in _FAMILY_SUFFIXES.get(family.type, ()):
                continue
            extra = ("le",) if suffix == "_bucket" else ()
            return SeriesInfo(family, MetricType.COUNTER, self._labels(family, extra))
        return None

    def _labels(self, metric: Metric, extra: Iterable[str]) -> frozenset[str] | None:
        if metric.labels is None:
            return None
        return metric.labels | self.target_labels | frozenset(extra)

    def series_names(self) -> list[str]:
        """Return every series name of the catalog, sorted."""
        return sorted(
            name for metric in self.metrics.values() for name in metric.series_names()
        )

    def merged(self, other: Catalog) -> Catalog:
        """Return this catalog with the metrics and target labels of `other` added.

        For a metric in both, the labels are joined, and a metric whose labels
        are unknown here takes those of `other`.
        """
        metrics = dict(self.metrics)
        for name, metric in other.metrics.items():
            mine = metrics.get(name)
            if mine is None:
                metrics[name] = metric
                continue
            labels = metric.labels if mine.labels is None else mine.labels
            if mine.labels is not None and metric.labels is not None:
                labels = mine.labels | metric.labels
            metrics[name] = replace(
                mine, labels=labels, buckets=mine.buckets or metric.buckets
            )
        return Catalog(metrics, self.target_labels | other.target_labels, self.path)

    def to_yaml(self, header: str = "") -> bytes:
        """Serialize the catalog in its file format."""
        metrics: dict[str, Any] = {}
        for name in sorted(self.metrics):
            metric = self.metrics[name]
            entry: dict[str, Any] = {"type": metric.type.value}
            if metric.help:
                entry["help"] = metric.help
            if metric.labels is not None:
                entry["labels"] = sorted(metric.labels)
            if metric.buckets:
                entry["buckets"] = list(metric.buckets)
            metrics[name] = entry
        data = {"target_labels": sorted(self.target_labels), "metrics": metrics}
        prefix = "".join(
            f"# {line}\n".replace("# \n", "#\n") for line in header.splitlines()
        )
        return prefix.encode("utf-8") + dump_yaml(data)


@cache
def catalog_schema() -> dict[str, Any]:
    """Return the JSON Schema of catalog files."""
    text = resources.files("obsgen").joinpath("schemas/catalog.schema.json")
    return json.loads(text.read_text(encoding="utf-8"))


def load_catalog(path: Path) -> Catalog:
    """Load and validate the catalog file in `path`."""
    if not path.is_file():
        raise ConfigError(
            f"metric catalog file not found: {path}",
            hint="fix 'catalog:' in the service configuration, or write the catalog "
            "with obsgen catalog METRICS.prom --out FILE",
        )
    document = load_yaml(path)
    _validate(document)
    data = document.data
    metrics = {}
    for name, entry in data["metrics"].items():
        labels = entry.get("labels")
        metrics[name] = Metric(
            name=name,
            type=MetricType(entry["type"]),
            help=entry.get("help", ""),
            labels=frozenset(labels) if labels is not None else None,
            buckets=tuple(float(bucket) for bucket in entry.get("buckets", ())),
        )
    return Catalog(metrics, frozenset(data.get("target_labels", ())), str(path))


def _validate(document: LocatedDocument) -> None:
    validator = jsonschema.Draft202012Validator(catalog_schema())
    errors = sorted(
        validator.iter_errors(document.data),
        key=lambda error: (list(map(str, error.absolute_path)), error.message),
    )
    if not errors:
        return
    error = jsonschema.exceptions.best_match(errors)
    json_path = tuple(error.absolute_path)
    description = (
        error.schema.get("description") if isinstance(error.schema, dict) else None
    )
    raise ConfigError(
        f"invalid metric catalog at {format_json_path(json_path)}: {error.message}",
        location=document.location(json_path),
        hint=f"expected {description}"
        if description
        else "see the catalog format in obsgen/catalog/model.py",
    )
