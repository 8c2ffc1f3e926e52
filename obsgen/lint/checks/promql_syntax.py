"""The `promql/syntax` check."""

from __future__ import annotations

from collections.abc import Iterable

from obsgen.lint.check import Check
from obsgen.lint.model import Finding, LintContext, Query
from obsgen.lint.problem import Severity


class PromqlSyntax(Check):
    """PromQL expressions that do not parse.

    Every rule expression and every panel query is parsed in process with
    promql-parser. Grafana variables (`$__rate_interval`, `$job`, `${pod}`,
    `[[interval]]`) are first replaced by placeholders of the right type, so
    the variables alone do not make a panel query fail.

    Fails:

    ```yaml
    groups:
      - name: http
        rules:
          - record: job:http_requests:rate5m
            expr: sum by (job) (rate(http_requests_total[5m])
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

    id = "promql/syntax"
    severity = Severity.ERROR

    def run(self, context: LintContext) -> Iterable[Finding]:
        for query in context.queries:
            if query.parsed.error is not None:
                yield query.finding(_message(query))


def _message(query: Query) -> str:
    substituted = ""
    if query.parsed.substitution.variables:
        substituted = (
            f" (with Grafana variables replaced: {query.parsed.substitution.text!r})"
        )
    return (
        f"invalid PromQL {query.expr.strip()!r}: {query.parsed.error}{substituted}; "
        "expected an expression Prometheus can parse"
    )
