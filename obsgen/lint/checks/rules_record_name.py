"""The `rules/record-name` check."""

from __future__ import annotations

import re
from collections.abc import Iterable

from obsgen.lint.check import Check
from obsgen.lint.model import Finding, LintContext
from obsgen.lint.problem import Severity

_METRIC_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
_LEVEL_METRIC_OPERATIONS = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*(:[a-zA-Z0-9_]+){2}$")


class RulesRecordName(Check):
    """Recording rule names not of the form `level:metric:operations`.

    Prometheus' naming convention for recorded series is
    `level:metric:operations`: the labels the result keeps (`job`), the
    metric name, and the operations applied (`rate5m`), so a reader can tell
    a recorded series from a scraped one and what it contains. A name
    that is not a valid metric name at all, with braces or dashes, makes
    Prometheus reject the file.

    Fails:

    ```yaml
    groups:
      - name: http
        rules:
          - record: http-requests-rate
            expr: sum by (job) (rate(http_requests_total[5m]))
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

    id = "rules/record-name"
    severity = Severity.ERROR

    def run(self, context: LintContext) -> Iterable[Finding]:
        for rule in context.rules:
            if rule.is_alert or "record" not in rule.data:
                continue
            name = rule.data["record"]
            if not isinstance(name, str) or not _METRIC_NAME.match(name):
                yield rule.finding(
                    f"recording rule name {name!r} is not a valid metric name; "
                    "expected level:metric:operations, such as "
                    "job:http_requests:rate5m",
                    "record",
                )
            elif not _LEVEL_METRIC_OPERATIONS.match(name):
                yield rule.finding(
                    f"recording rule name {name!r} is not of the form "
                    "level:metric:operations; expected a name such as "
                    "job:http_requests:rate5m",
                    "record",
                )
