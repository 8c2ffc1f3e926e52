"""The `promql/rate-window` check."""

from __future__ import annotations

from collections.abc import Iterable

import promql_parser as pp

from obsgen.duration import format_duration
from obsgen.lint.check import Check
from obsgen.lint.model import Finding, LintContext, Query
from obsgen.lint.problem import Severity
from obsgen.lint.promql import RANGE_FUNCTIONS, duration_ms, unwrap, walk

# Four samples survive one missed scrape and still give rate() two points.
MIN_SCRAPES = 4


class PromqlRateWindow(Check):
    """`rate`, `irate` or `increase` over a window shorter than 4 scrape intervals.

    These functions need at least two samples in the window. With a window
    under four scrape intervals, one missed or late scrape leaves fewer, and
    the result drops out: graphs get gaps and alerts stop firing. The scrape
    interval comes from the service configuration (`prometheus.scrape_interval`)
    or `--scrape-interval`, and is Prometheus' default of 1m otherwise. In
    panels, `$__rate_interval` is always long enough and is not flagged.

    Fails, with a 15s scrape interval:

    ```yaml
    groups:
      - name: http
        rules:
          - record: job:http_requests:rate30s
            expr: sum by (job) (rate(http_requests_total[30s]))
    ```

    Passes:

    ```yaml
    groups:
      - name: http
        rules:
          - record: job:http_requests:rate1m
            expr: sum by (job) (rate(http_requests_total[1m]))
    ```
    """

    id = "promql/rate-window"
    severity = Severity.ERROR

    def run(self, context: LintContext) -> Iterable[Finding]:
        for query in context.queries:
            if query.tree is not None:
                yield from _check_query(query, context)


def _check_query(query: Query, context: LintContext) -> Iterable[Finding]:
    minimum = MIN_SCRAPES * context.scrape_interval_ms
    for node, _ in walk(query.tree):
        if not isinstance(node, pp.Call) or node.func.name not in RANGE_FUNCTIONS:
            continue
        argument = unwrap(list(node.args)[0])
        if not isinstance(argument, pp.MatrixSelector):
            continue
        window = duration_ms(argument.range)
        if query.parsed.substitution.variable_for_duration(window) is not None:
            continue
        if window < minimum:
            yield query.finding(
                f"{node.func.name}() window [{format_duration(window)}] in "
                f"'{node}' is shorter than {MIN_SCRAPES} x the scrape interval "
                f"{format_duration(context.scrape_interval_ms)}; expected "
                f"[{format_duration(minimum)}] or longer"
            )
