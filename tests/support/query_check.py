"""Running dashboard queries against a live Prometheus and explaining the results."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from tests.support.prometheus import PrometheusError, PrometheusServer
from tests.support.promql import called_functions, metric_names, selector_texts

# Functions that return data exactly when their selector has none.
ABSENCE_FUNCTIONS = frozenset({"absent", "absent_over_time"})

# Series that Prometheus itself writes for every scrape target.
SCRAPE_SERIES_RE = re.compile(r"^(up|scrape_\w+)$")

SAMPLE_NAME_RE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)[{\s]", re.MULTILINE)


def capture_metric_names(exposition: str) -> set[str]:
    """Return the names of the metrics that have samples in an exposition text."""
    return set(SAMPLE_NAME_RE.findall(exposition))


@dataclass
class QueryOutcome:
    """What one query returned, and whether each of its selectors has data."""

    label: str
    expr: str
    series: int = 0
    error: str | None = None
    selector_series: dict[str, int] = field(default_factory=dict)
    metric_sources: dict[str, str] = field(default_factory=dict)

    @property
    def expects_data(self) -> bool:
        """Whether the query must return data: it has no error, no absent() call,
        and every selector on its own returns series."""
        if self.error is not None or not self.selector_series:
            return False
        if ABSENCE_FUNCTIONS & called_functions(self.expr):
            return False
        return all(count > 0 for count in self.selector_series.values())

    def describe(self) -> str:
        status = f"error: {self.error}" if self.error else f"{self.series} series"
        lines = [f"{self.label}: {status}", f"    query: {self.expr}"]
        for selector, count in self.selector_series.items():
            lines.append(f"    selector {selector}: {count} series")
        for name, source in sorted(self.metric_sources.items()):
            lines.append(f"    metric {name}: {source}")
        return "\n".join(lines)


def classify_metrics(
    expr: str, capture_names: set[str], recorded_names: set[str]
) -> dict[str, str]:
    """Say where each metric of `expr` comes from, for failure reports."""
    sources = {}
    for name in metric_names(expr):
        if name in recorded_names:
            sources[name] = "recorded by the bundle's rules"
        elif name in capture_names:
            sources[name] = "has samples in the capture"
        elif SCRAPE_SERIES_RE.match(name):
            sources[name] = "written by Prometheus for each scrape"
        else:
            sources[name] = "no samples in the capture"
    return sources


def evaluate(server: PrometheusServer, outcome: QueryOutcome) -> QueryOutcome:
    """Run the query and each of its selectors, recording the series counts.

    Prometheus runs the query first, so a syntax error is reported in its words.
    """
    try:
        outcome.series = len(server.query(outcome.expr))
        selectors = selector_texts(outcome.expr)
        outcome.selector_series = {
            selector: len(server.query(selector)) for selector in selectors
        }
        outcome.error = None
    except (PrometheusError, ValueError) as error:
        outcome.error = str(error)
    return outcome


def report(outcomes: Iterable[QueryOutcome]) -> str:
    """Format outcomes, one block per query, for an assertion message."""
    return "\n".join(outcome.describe() for outcome in outcomes)
