"""The `alerts/template-syntax` check."""

from __future__ import annotations

from collections.abc import Iterable

from obsgen.lint.check import Check
from obsgen.lint.gotemplate import check_template
from obsgen.lint.model import Finding, LintContext, Rule
from obsgen.lint.problem import Severity


class AlertsTemplateSyntax(Check):
    """Go template errors in alert labels and annotations.

    Prometheus expands labels and annotations as Go templates. A template
    that does not parse makes Prometheus reject the whole rule file. This
    check finds unclosed `{{`, a `}}` with no `{{`, undefined variables
    such as `$label` (the variable is `$labels`), functions that neither Go
    nor Prometheus 2.42 defines, and `if`, `range` or `with` without `end`.

    Fails:

    ```yaml
    groups:
      - name: health
        rules:
          - alert: ServiceUnhealthy
            expr: health_check_status == 0
            labels: {severity: warning}
            annotations:
              summary: Service {{ $label.provider }} is unhealthy
              description: Status is {{ $value | humanise }}.
              runbook_url: https://wiki.example.com/runbooks/unhealthy
    ```

    Passes:

    ```yaml
    groups:
      - name: health
        rules:
          - alert: ServiceUnhealthy
            expr: health_check_status == 0
            labels: {severity: warning}
            annotations:
              summary: Service {{ $labels.provider }} is unhealthy
              description: Status is {{ $value | humanize }}.
              runbook_url: https://wiki.example.com/runbooks/unhealthy
    ```
    """

    id = "alerts/template-syntax"
    severity = Severity.ERROR

    def run(self, context: LintContext) -> Iterable[Finding]:
        for rule in context.rules:
            if rule.is_alert:
                yield from _check_rule(rule)


def templates(rule: Rule) -> Iterable[tuple[str, str, str]]:
    """Yield (`labels` or `annotations`, name, text) for each template of a rule."""
    for section in ("labels", "annotations"):
        values = rule.data.get(section)
        if not isinstance(values, dict):
            continue
        for name, text in values.items():
            if isinstance(text, str):
                yield section, name, text


def _check_rule(rule: Rule) -> Iterable[Finding]:
    for section, name, text in templates(rule):
        for error in check_template(text).errors:
            yield rule.finding(
                f"invalid template in {section}.{name}: {error}", section, name
            )
