"""The `promql/rate-gauge` check."""

from __future__ import annotations

from collections.abc import Iterable

import promql_parser as pp

from obsgen.catalog.model import MetricType
from obsgen.lint.check import Check
from obsgen.lint.model import Finding, LintContext
from obsgen.lint.problem import Severity
from obsgen.lint.promql import RANGE_FUNCTIONS, metric_name, selectors, walk


class PromqlRateGauge(Check):
    """`rate`, `irate` or `increase` of a gauge.

    These functions treat every drop in value as a counter reset, so on a
    gauge they return nonsense. Use `deriv` or `delta` for the change of a
    gauge. The metric type comes from the metric catalog; without a catalog
    this check does not run.

    Fails:

    ```yaml
    groups:
      - name: database
        rules:
          - record: job:database_pool_checkedout:rate5m
            expr: sum by (job) (rate(database_pool_checkedout[5m]))
    ```

    Passes:

    ```yaml
    groups:
      - name: database
        rules:
          - record: job:database_pool_checkedout:deriv5m
            expr: sum by (job) (deriv(database_pool_checkedout[5m]))
    ```
    """

    id = "promql/rate-gauge"
    severity = Severity.ERROR

    def run(self, context: LintContext) -> Iterable[Finding]:
        for query in context.queries:
            if query.tree is None:
                continue
            for node, _ in walk(query.tree):
                if isinstance(node, pp.Call) and node.func.name in RANGE_FUNCTIONS:
                    yield from _check_call(node, query, context)


def _check_call(node: pp.Call, query, context: LintContext) -> Iterable[Finding]:
    for selector in selectors(node):
        name = metric_name(selector)
        if name and context.series_type(name) is MetricType.GAUGE:
            yield query.finding(
                f"{node.func.name}() of {name}, which the catalog types as a gauge; "
                "expected a counter, or deriv() or delta() for a gauge"
            )
