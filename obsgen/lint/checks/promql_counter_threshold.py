"""The `promql/counter-threshold` check."""

from __future__ import annotations

from collections.abc import Iterable

import promql_parser as pp

from obsgen.catalog.model import MetricType
from obsgen.lint.check import Check
from obsgen.lint.model import Finding, LintContext, Query
from obsgen.lint.problem import Severity
from obsgen.lint.promql import (
    COMPARISON_OPERATORS,
    is_scalar,
    metric_name,
    operator,
    unwrap,
    walk,
)

# Wrappers through which a counter's raw value still reaches the comparison.
_VALUE_KEEPING = {"abs", "ceil", "floor", "round", "clamp", "clamp_min", "clamp_max",
                  "label_replace", "label_join", "sort", "sort_desc"}  # fmt: skip


class PromqlCounterThreshold(Check):
    """A raw counter compared with a threshold.

    A counter only grows, and resets to zero when the process restarts, so
    its raw value measures how long the process has run, not how often
    something happens. Compare `rate()` or `increase()` of it instead. The
    metric type comes from the metric catalog; without one, names ending in
    `_total`, `_count` or `_bucket` count as counters.

    Fails:

    ```yaml
    groups:
      - name: database
        rules:
          - alert: DatabasePoolCheckoutTimeouts
            expr: database_pool_checkout_timeout_total > 0
            labels: {severity: critical}
            annotations:
              summary: Checkouts time out
              description: Requests wait too long for a database connection.
              runbook_url: https://wiki.example.com/runbooks/pool
    ```

    Passes:

    ```yaml
    groups:
      - name: database
        rules:
          - alert: DatabasePoolCheckoutTimeouts
            expr: increase(database_pool_checkout_timeout_total[5m]) > 0
            labels: {severity: critical}
            annotations:
              summary: Checkouts time out
              description: Requests wait too long for a database connection.
              runbook_url: https://wiki.example.com/runbooks/pool
    ```
    """

    id = "promql/counter-threshold"
    severity = Severity.ERROR

    def run(self, context: LintContext) -> Iterable[Finding]:
        for query in context.queries:
            if query.tree is not None:
                yield from _check_query(query, context)


def _check_query(query: Query, context: LintContext) -> Iterable[Finding]:
    for node, _ in walk(query.tree):
        if not isinstance(node, pp.BinaryExpr):
            continue
        if operator(node) not in COMPARISON_OPERATORS:
            continue
        for side, other in ((node.lhs, node.rhs), (node.rhs, node.lhs)):
            if not is_scalar(other):
                continue
            name = _raw_counter(side, context)
            if name is not None:
                yield query.finding(
                    f"the raw counter {name} is compared with {unwrap(other)} in "
                    f"'{node}'; expected rate({name}[...]) or increase({name}[...])"
                )


def _raw_counter(node: pp.Expr, context: LintContext) -> str | None:
    node = unwrap(node)
    if isinstance(node, pp.VectorSelector):
        name = metric_name(node)
        return name if name and _is_counter(name, context) else None
    if isinstance(node, pp.AggregateExpr) and operator(node) in (
        "sum",
        "min",
        "max",
        "avg",
    ):
        return _raw_counter(node.expr, context)
    if isinstance(node, pp.Call) and node.func.name in _VALUE_KEEPING:
        return _raw_counter(list(node.args)[0], context)
    return None


def _is_counter(name: str, context: LintContext) -> bool:
    if context.catalog is not None:
        return context.series_type(name) is MetricType.COUNTER
    if context.is_recorded(name):
        return False
    return name.endswith(("_total", "_count", "_bucket"))
