"""The `live/no-series` check."""

from __future__ import annotations

from collections.abc import Iterable

from obsgen.lint.check import Check
from obsgen.lint.live import PrometheusClient, dashboard_variable_values, selector_text
from obsgen.lint.model import DocumentKind, Finding, LintContext, Query
from obsgen.lint.problem import Severity
from obsgen.lint.promql import metric_name, selectors


class LiveNoSeries(Check):
    """Selectors that match no series on the Prometheus server (live mode only).

    With `obsgen check --prometheus-url URL`, every selector of every rule
    and panel query is sent to the server's `/api/v1/series` API for the
    last hour. A selector that matches nothing there is a typo, a label
    value the scrape configuration does not set, or a metric the service
    does not expose yet. Grafana variables are filled in with the
    dashboard's current values. Series that the checked recording rules
    record are skipped, since they exist only once the rules are loaded.
    An unreachable server stops the run with exit code 4.

    Fails, against a server where the service runs in namespace production:

    ```yaml
    groups:
      - name: http
        rules:
          - record: job:http_requests:rate5m
            expr: sum by (job) (rate(http_requests_total{namespace="staging"}[5m]))
    ```

    Passes:

    ```yaml
    groups:
      - name: http
        rules:
          - record: job:http_requests:rate5m
            expr: sum by (job) (rate(http_requests_total{namespace="production"}[5m]))
    ```
    """

    id = "live/no-series"
    severity = Severity.ERROR

    def run(self, context: LintContext) -> Iterable[Finding]:
        if not context.prometheus_url:
            return
        client = PrometheusClient(context.prometheus_url)
        for query in context.queries:
            if query.tree is not None:
                yield from _check_query(query, context, client)


def _check_query(
    query: Query, context: LintContext, client: PrometheusClient
) -> Iterable[Finding]:
    values = {}
    if query.document.kind is DocumentKind.DASHBOARD:
        values = dashboard_variable_values(query.document.data)
    checked = set()
    for selector in selectors(query.tree):
        name = metric_name(selector)
        if name is not None and context.is_recorded(name):
            continue
        text = selector_text(selector, values)
        if text is None or text in checked:
            continue
        checked.add(text)
        if not client.has_series(text):
            yield query.finding(
                f"{text} matches no series on {client.url} in the last hour; expected "
                "a selector of series the server has"
            )
