"""The `dashboards/rate-interval` check."""

from __future__ import annotations

from collections.abc import Iterable

import promql_parser as pp

from obsgen.duration import format_duration
from obsgen.lint.check import Check
from obsgen.lint.model import Finding, LintContext, Query
from obsgen.lint.problem import Severity
from obsgen.lint.promql import RANGE_FUNCTIONS, duration_ms, unwrap, walk

# `$__range` is right for totals over the whole time range, such as a stat of
# increase(...[$__range]).
ALLOWED_VARIABLES = {"__rate_interval", "__range"}


class DashboardsRateInterval(Check):
    """Panel queries that take `rate`, `irate` or `increase` without `$__rate_interval`.

    A fixed window such as `[5m]` smooths away detail when zoomed in and
    skips samples when zoomed out, and `$__interval` drops below two
    scrapes when zoomed in, so the graph goes blank. `$__rate_interval` is
    at least four scrape intervals (from the datasource's `timeInterval`)
    and grows with the zoom. `$__range` is accepted for totals over the
    dashboard's time range.

    Fails:

    ```json
    {
      "title": "HTTP",
      "uid": "example-service-http",
      "schemaVersion": 42,
      "panels": [
        {
          "id": 1,
          "type": "timeseries",
          "title": "Requests",
          "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0},
          "fieldConfig": {"defaults": {"unit": "reqps"}, "overrides": []},
          "targets": [{"refId": "A", "expr": "sum(rate(http_requests_total[5m]))"}]
        }
      ]
    }
    ```

    Passes:

    ```json
    {
      "title": "HTTP",
      "uid": "example-service-http",
      "schemaVersion": 42,
      "panels": [
        {
          "id": 1,
          "type": "timeseries",
          "title": "Requests",
          "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0},
          "fieldConfig": {"defaults": {"unit": "reqps"}, "overrides": []},
          "targets": [
            {
              "refId": "A",
              "expr": "sum(rate(http_requests_total[$__rate_interval]))"
            }
          ]
        }
      ]
    }
    ```
    """

    id = "dashboards/rate-interval"
    severity = Severity.WARNING

    def run(self, context: LintContext) -> Iterable[Finding]:
        for query in context.queries:
            if query.source == "panel" and query.tree is not None:
                yield from _check_query(query)


def _check_query(query: Query) -> Iterable[Finding]:
    for node, _ in walk(query.tree):
        if not isinstance(node, pp.Call) or node.func.name not in RANGE_FUNCTIONS:
            continue
        argument = unwrap(list(node.args)[0])
        if not isinstance(argument, pp.MatrixSelector):
            continue
        window = duration_ms(argument.range)
        variable = query.parsed.substitution.variable_for_duration(window)
        if variable in ALLOWED_VARIABLES:
            continue
        shown = f"${variable}" if variable else format_duration(window)
        yield query.finding(
            f"{node.func.name}() in a panel query uses the window [{shown}]; "
            "expected [$__rate_interval]"
        )
