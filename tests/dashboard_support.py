"""Building the dashboards once per test session and reading their PromQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

import promql_parser

REPO = Path(__file__).resolve().parents[1]
EXAMPLE_CONFIG = REPO / "examples" / "example-service" / "service.yaml"
DASHBOARD_SLUGS = (
    "application",
    "database",
    "dependencies",
    "health-checks",
    "infrastructure",
)

# The window that replaces $__rate_interval when a query is parsed. Its length
# is unusual, so a fixed window such as [5m] cannot pass for it.
RATE_INTERVAL_SAMPLE = timedelta(seconds=4242)

# promql_parser's MatchOp values are not hashable; their str() is the key.
_MATCH_OPS = {
    str(promql_parser.MatchOp.Equal): "=",
    str(promql_parser.MatchOp.NotEqual): "!=",
    str(promql_parser.MatchOp.Re): "=~",
    str(promql_parser.MatchOp.NotRe): "!~",
}


@cache
def cli_bundle(out_dir: Path) -> dict[str, dict[str, Any]]:
    """Run `python -m obsgen build --out out_dir` and return its dashboards by slug."""
    result = subprocess.run(
        [sys.executable, "-m", "obsgen", "build", "--out", str(out_dir)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"obsgen build failed:\n{result.stderr}"
    folder = out_dir / "grafana" / "dashboards"
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(folder.glob("*.json"))
    }


def iter_panels(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Yield every panel of a dashboard document, rows and row children included."""
    for panel in document.get("panels", []):
        yield panel
        yield from panel.get("panels", [])


def iter_targets(
    document: dict[str, Any],
) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Yield (panel, target) for every query of a dashboard document."""
    for panel in iter_panels(document):
        for target in panel.get("targets", []):
            yield panel, target


def parse_query(expr: str) -> Any:
    """Parse a dashboard query, with RATE_INTERVAL_SAMPLE for $__rate_interval.

    Other Grafana interval variables stay in place, so a query that uses
    them fails to parse.
    """
    seconds = int(RATE_INTERVAL_SAMPLE.total_seconds())
    return promql_parser.parse(expr.replace("$__rate_interval", f"{seconds}s"))


def iter_nodes(expr: str) -> list[Any]:
    """Return every node of the parsed query, depth first."""
    nodes: list[Any] = []
    promql_parser.walk(parse_query(expr), nodes.append)
    return nodes


@dataclass
class QueryFacts:
    """What a query reads and computes, independent of its formatting."""

    metrics: set[str] = field(default_factory=set)
    functions: set[str] = field(default_factory=set)
    aggregations: set[tuple[str, tuple[str, ...]]] = field(default_factory=set)
    quantiles: set[float] = field(default_factory=set)
    matchers: set[tuple[str, str, str]] = field(default_factory=set)
    operators: set[str] = field(default_factory=set)

    @property
    def grouping_labels(self) -> set[str]:
        """Labels that `by` clauses keep, except `le`, which quantiles remove."""
        return {label for _, by in self.aggregations for label in by if label != "le"}


def query_facts(expr: str) -> QueryFacts:
    """Collect the metrics, functions, aggregations and matchers of a query."""
    facts = QueryFacts()
    for node in iter_nodes(expr):
        if isinstance(node, promql_parser.VectorSelector):
            facts.metrics.add(node.name)
            for matcher in node.matchers.matchers:
                op = _MATCH_OPS[str(matcher.op)]
                facts.matchers.add((matcher.name, op, matcher.value))
        elif isinstance(node, promql_parser.Call):
            facts.functions.add(node.func.name)
            if node.func.name == "histogram_quantile":
                facts.quantiles.add(node.args[0].val)
        elif isinstance(node, promql_parser.AggregateExpr):
            facts.aggregations.add((str(node.op), aggregation_labels(node)))
        elif isinstance(node, promql_parser.BinaryExpr):
            facts.operators.add(str(node.op))
    return facts


def aggregation_labels(node: Any) -> tuple[str, ...]:
    """Return the sorted `by` labels of an aggregation; `without` is marked."""
    if node.modifier is None:
        return ()
    labels = tuple(sorted(node.modifier.labels))
    if node.modifier.type == promql_parser.AggModifierType.Without:
        return ("without", *labels)
    return labels
