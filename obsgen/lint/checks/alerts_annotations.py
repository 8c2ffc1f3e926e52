"""The `alerts/annotations` check."""

from __future__ import annotations

import re
from collections.abc import Iterable

from obsgen.lint.check import Check
from obsgen.lint.model import Finding, LintContext, Rule
from obsgen.lint.problem import Severity

REQUIRED_ANNOTATIONS = ("summary", "description", "runbook_url")
_URL = re.compile(r"^https?://\S+$")


class AlertsAnnotations(Check):
    """Alerts without a `summary`, `description` or `runbook_url` annotation.

    The person paged reads the summary in the notification, the description
    for the details and follows the runbook to act. Each must be present and
    non-empty, and `runbook_url` must be an http or https URL.

    Fails:

    ```yaml
    groups:
      - name: availability
        rules:
          - alert: NoHealthyInstances
            expr: sum by (job) (up) == 0
            labels: {severity: critical}
            annotations:
              summary: No healthy instances
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

    id = "alerts/annotations"
    severity = Severity.ERROR

    def run(self, context: LintContext) -> Iterable[Finding]:
        for rule in context.rules:
            if rule.is_alert:
                yield from _check_rule(rule)


def _check_rule(rule: Rule) -> Iterable[Finding]:
    annotations = rule.data.get("annotations")
    annotations = annotations if isinstance(annotations, dict) else {}
    for name in REQUIRED_ANNOTATIONS:
        value = annotations.get(name)
        if not isinstance(value, str) or not value.strip():
            yield rule.finding(
                f"alert {rule.name!r} has no {name} annotation; expected a non-empty "
                f"annotations.{name}"
            )
        elif name == "runbook_url" and not _URL.match(value.strip()):
            yield rule.finding(
                f"alert {rule.name!r} has runbook_url {value!r}; expected an http "
                "or https URL",
                "annotations",
                name,
            )
