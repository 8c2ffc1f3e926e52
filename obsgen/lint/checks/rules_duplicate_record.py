"""The `rules/duplicate-record` check."""

from __future__ import annotations

from collections.abc import Iterable

from obsgen.lint.check import Check
from obsgen.lint.model import Finding, LintContext, Rule
from obsgen.lint.problem import Severity
from obsgen.yamlsource import format_json_path


class RulesDuplicateRecord(Check):
    """The same recording rule name with the same labels twice.

    Two rules that record the same series write conflicting samples into
    it, and Prometheus drops one of them at random each evaluation. The same
    name with different labels, such as one rule per `quantile`, is fine, and
    so is the same alert name with different severities.

    Fails:

    ```yaml
    groups:
      - name: http
        rules:
          - record: job:http_requests:rate5m
            expr: sum by (job) (rate(http_requests_total[5m]))
          - record: job:http_requests:rate5m
            expr: sum by (job) (rate(http_requests_total{method="GET"}[5m]))
    ```

    Passes:

    ```yaml
    groups:
      - name: http
        rules:
          - record: job:http_requests:rate5m
            expr: sum by (job) (rate(http_requests_total[5m]))
          - record: job:http_requests:rate5m
            expr: sum by (job) (rate(http_requests_total{method="GET"}[5m]))
            labels: {method: GET}
    ```
    """

    id = "rules/duplicate-record"
    severity = Severity.ERROR

    def run(self, context: LintContext) -> Iterable[Finding]:
        seen: dict[tuple, Rule] = {}
        for rule in context.rules:
            if rule.is_alert:
                continue
            labels = rule.data.get("labels")
            labels = labels if isinstance(labels, dict) else {}
            key = (
                rule.name,
                tuple(sorted((str(k), str(v)) for k, v in labels.items())),
            )
            first = seen.setdefault(key, rule)
            if first is not rule:
                yield rule.finding(
                    f"recording rule {rule.name!r} with the same labels is already "
                    f"defined in {first.document.path} at "
                    f"{format_json_path(first.json_path)}; expected one rule per "
                    "name and label set"
                )
