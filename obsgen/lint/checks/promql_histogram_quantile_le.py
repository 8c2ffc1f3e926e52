"""The `promql/histogram-quantile-le` check."""

from __future__ import annotations

from collections.abc import Iterable

import promql_parser as pp

from obsgen.lint.check import Check
from obsgen.lint.model import Finding, LintContext, Query
from obsgen.lint.problem import Severity
from obsgen.lint.promql import metric_name, result_labels, selectors, walk


class PromqlHistogramQuantileLe(Check):
    """`histogram_quantile` over classic buckets whose aggregation drops `le`.

    A classic histogram stores one `_bucket` series per upper bound, each
    with its bound in the `le` label. `histogram_quantile` needs every bucket of a
    series, so an aggregation inside it must keep `le`: `sum by (le)`, or
    `by (job, le)`. Without `le` it returns nothing.

    Fails:

    ```yaml
    groups:
      - name: latency
        rules:
          - record: job:http_request_duration_seconds:p95
            expr: |
              histogram_quantile(0.95,
                sum by (job) (rate(http_request_duration_seconds_bucket[5m])))
    ```

    Passes:

    ```yaml
    groups:
      - name: latency
        rules:
          - record: job:http_request_duration_seconds:p95
            expr: |
              histogram_quantile(0.95,
                sum by (job, le) (rate(http_request_duration_seconds_bucket[5m])))
    ```
    """

    id = "promql/histogram-quantile-le"
    severity = Severity.ERROR

    def run(self, context: LintContext) -> Iterable[Finding]:
        for query in context.queries:
            if query.tree is not None:
                yield from _check_query(query, context)


def _check_query(query: Query, context: LintContext) -> Iterable[Finding]:
    for node, _ in walk(query.tree):
        if not isinstance(node, pp.Call) or node.func.name != "histogram_quantile":
            continue
        argument = list(node.args)[-1]
        if not _reads_classic_buckets(argument, context):
            continue
        labels = result_labels(argument, context.selector_labels)
        if "le" not in labels:
            yield query.finding(
                f"the buckets '{argument}' that histogram_quantile() reads have no "
                "'le' label, because the aggregation drops it; expected 'le' in its "
                "'by (...)' list, such as 'sum by (job, le) (...)'"
            )


def _reads_classic_buckets(node: pp.Expr, context: LintContext) -> bool:
    for selector in selectors(node):
        name = metric_name(selector) or ""
        recorded = context.recorded_labels.get(name)
        if name.endswith("_bucket") or (
            recorded is not None and "le" in recorded.names
        ):
            return True
    return False
