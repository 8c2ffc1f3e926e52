"""The `alerts/template-labels` check."""

from __future__ import annotations

from collections.abc import Iterable

from obsgen.lint.check import Check
from obsgen.lint.checks.alerts_template_syntax import templates
from obsgen.lint.gotemplate import check_template
from obsgen.lint.model import Finding, LintContext, Rule
from obsgen.lint.problem import Severity
from obsgen.lint.promql import LabelSet, result_labels


class AlertsTemplateLabels(Check):
    """Label and annotation templates that read a label the expression cannot return.

    `{{ $labels.instance }}` prints the `instance` label of the series that
    fired the alert, or nothing if it has none. A label is missing when the
    expression drops it: `sum by (job)` keeps only `job`, `absent(...)`
    keeps only the selector's equality matchers, and one-to-one matching
    with `on (...)` keeps only the `on` labels. Labels that `label_replace`,
    `label_join`, `count_values` or a `group_left`/`group_right` join add are
    known. The labels of a selector come from the metric catalog, and a
    metric the catalog does not list could carry any label.

    The rule's own `labels:` are not visible to templates: Prometheus 2.42
    expands templates with the labels of the series only (verified against
    a running Prometheus), so `{{ $labels.severity }}` prints nothing even
    when the rule sets `severity`. Such a use is reported too.

    Fails:

    ```yaml
    groups:
      - name: http
        rules:
          - alert: HighErrorRate
            expr: sum by (job) (rate(http_requests_total{status=~"5.."}[5m])) > 1
            labels: {severity: critical}
            annotations:
              summary: Errors on {{ $labels.instance }}
              description: "{{ $value }} errors per second."
              runbook_url: https://wiki.example.com/runbooks/errors
    ```

    Passes:

    ```yaml
    groups:
      - name: http
        rules:
          - alert: HighErrorRate
            expr: |
              sum by (job, instance) (rate(http_requests_total{status=~"5.."}[5m]))
              > 1
            labels: {severity: critical}
            annotations:
              summary: Errors on {{ $labels.instance }}
              description: "{{ $value }} errors per second."
              runbook_url: https://wiki.example.com/runbooks/errors
    ```
    """

    id = "alerts/template-labels"
    severity = Severity.ERROR

    def run(self, context: LintContext) -> Iterable[Finding]:
        for rule in context.rules:
            if rule.is_alert and rule.query is not None and rule.query.tree is not None:
                labels = result_labels(rule.query.tree, context.selector_labels)
                yield from _check_rule(rule, labels)


def _check_rule(rule: Rule, labels: LabelSet) -> Iterable[Finding]:
    rule_labels = (
        rule.data.get("labels") if isinstance(rule.data.get("labels"), dict) else {}
    )
    for section, name, text in templates(rule):
        for label in dict.fromkeys(check_template(text).labels):
            if label in labels:
                continue
            yield rule.finding(
                _message(section, name, label, labels, rule_labels), section, name
            )


def _message(section: str, name: str, label: str, labels: LabelSet, rule_labels) -> str:
    returned = ", ".join(sorted(labels.names))
    expected = f"one of: {returned}" if returned else "no label, since it returns none"
    if label in rule_labels:
        return (
            f"{section}.{name} reads $labels.{label}, but {label!r} is a label of "
            "the rule, which templates do not see, so it prints nothing; expected "
            f"the value written out, or an expression label: {expected}"
        )
    return (
        f"{section}.{name} reads $labels.{label}, but the expression cannot "
        f"return {label!r}, so it prints nothing; expected {expected}"
    )
