"""The `schema/rule-file` check."""

from __future__ import annotations

from collections.abc import Iterable

from obsgen.lint.check import Check
from obsgen.lint.model import DocumentKind, Finding, LintContext
from obsgen.lint.problem import Severity
from obsgen.lint.schemas import reported_elsewhere, schema_findings

# Violations that rules/duration, rules/record-name and rules/label-name
# report with a better message.
_REPORTED_ELSEWHERE = (
    ("pattern", "for"),
    ("pattern", "keep_firing_for"),
    ("pattern", "interval"),
    ("pattern", "record"),
    ("propertyNames", "labels"),
    ("propertyNames", "annotations"),
    ("pattern", "labels"),
    ("pattern", "annotations"),
)
_SKIP = reported_elsewhere(_REPORTED_ELSEWHERE)


class SchemaRuleFile(Check):
    """Rule files that do not match the Prometheus rule file format.

    Prometheus reads rule files strictly: an unknown key (such as
    `annotation` for `annotations`), a missing `expr`, a rule with both
    `alert` and `record`, or a label value that is not a string makes it
    reject the whole file. The schema is `obsgen/schemas/prometheus-rules.schema.json`.

    Fails:

    ```yaml
    groups:
      - name: availability
        rules:
          - alert: NoHealthyInstances
            expr: sum by (job) (up) == 0
            labels: {severity: critical, priority: 1}
            annotation:
              summary: No healthy instances
    ```

    Passes:

    ```yaml
    groups:
      - name: availability
        rules:
          - alert: NoHealthyInstances
            expr: sum by (job) (up) == 0
            labels: {severity: critical, priority: "1"}
            annotations:
              summary: No healthy instances
              description: Every target of the job is down.
              runbook_url: https://wiki.example.com/runbooks/down
    ```
    """

    id = "schema/rule-file"
    severity = Severity.ERROR

    def run(self, context: LintContext) -> Iterable[Finding]:
        for document in context.of_kind(DocumentKind.RULES):
            yield from schema_findings(document, "prometheus-rules", _SKIP)
