"""The `alerts/severity` check."""

from __future__ import annotations

from collections.abc import Iterable

from obsgen.lint.check import Check
from obsgen.lint.model import Finding, LintContext
from obsgen.lint.problem import Severity

SEVERITIES = ("critical", "warning", "info")


class AlertsSeverity(Check):
    """Alerts without a `severity` label of critical, warning or info.

    Alertmanager routes alerts by severity: critical pages someone, warning
    and info go to a channel. An alert without one, or with another value,
    matches no route that expects these three.

    Fails:

    ```yaml
    groups:
      - name: availability
        rules:
          - alert: NoHealthyInstances
            expr: sum by (job) (up) == 0
            labels: {severity: page}
            annotations:
              summary: No healthy instances
              description: Every target of the job is down.
              runbook_url: https://wiki.example.com/runbooks/down
    ```

    Passes:

    ```yaml
    groups:
      - name: availability
        rules:
          - alert: NoHealthyInstances
            expr: sum by (job) (up) == 0
            labels: {severity: critical}
            annotations:
              summary: No healthy instances
              description: Every target of the job is down.
              runbook_url: https://wiki.example.com/runbooks/down
    ```
    """

    id = "alerts/severity"
    severity = Severity.ERROR

    def run(self, context: LintContext) -> Iterable[Finding]:
        expected = ", ".join(SEVERITIES)
        for rule in context.rules:
            if not rule.is_alert:
                continue
            labels = rule.data.get("labels")
            value = labels.get("severity") if isinstance(labels, dict) else None
            if value is None:
                yield rule.finding(
                    f"alert {rule.name!r} has no severity label; expected one of: "
                    f"{expected}"
                )
            elif value not in SEVERITIES:
                yield rule.finding(
                    f"alert {rule.name!r} has severity {value!r}; expected one of: "
                    f"{expected}",
                    "labels",
                    "severity",
                )
