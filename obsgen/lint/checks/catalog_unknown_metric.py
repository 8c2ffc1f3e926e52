"""The `catalog/unknown-metric` check."""

from __future__ import annotations

from collections.abc import Iterable

from obsgen.lint.check import Check
from obsgen.lint.model import Finding, LintContext
from obsgen.lint.problem import Severity
from obsgen.lint.promql import metric_name, selectors
from obsgen.lint.variables import PLACEHOLDER_NAME


class CatalogUnknownMetric(Check):
    """Queries that select a metric the service does not expose.

    A selector for a metric that nothing exposes returns nothing, so its
    alert never fires and its panel stays empty, usually from a typo or a
    metric renamed in the service. Known metrics are those of the metric
    catalog (`catalog:` in the service configuration, or `--catalog`) and
    the series the checked recording rules record. Without a catalog this
    check does not run.

    Fails:

    ```yaml
    groups:
      - name: http
        rules:
          - record: job:http_requests:rate5m
            expr: sum by (job) (rate(http_request_total[5m]))
    ```

    Passes:

    ```yaml
    groups:
      - name: http
        rules:
          - record: job:http_requests:rate5m
            expr: sum by (job) (rate(http_requests_total[5m]))
    ```
    """

    id = "catalog/unknown-metric"
    severity = Severity.ERROR

    def run(self, context: LintContext) -> Iterable[Finding]:
        if context.catalog is None:
            return
        for query in context.queries:
            if query.tree is None:
                continue
            reported = set()
            for selector in selectors(query.tree):
                name = metric_name(selector)
                if name is None or name == PLACEHOLDER_NAME or name in reported:
                    continue
                if context.catalog.series(name) is None and not context.is_recorded(
                    name
                ):
                    reported.add(name)
                    yield query.finding(
                        f"metric {name!r} is not in the catalog {context.catalog.path} "
                        "and no recording rule records it; expected a metric the "
                        "service exposes"
                    )
