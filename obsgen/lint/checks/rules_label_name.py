"""The `rules/label-name` check."""

from __future__ import annotations

import re
from collections.abc import Iterable

from obsgen.lint.check import Check
from obsgen.lint.model import Finding, LintContext, Rule
from obsgen.lint.problem import Severity

LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


class RulesLabelName(Check):
    """Label and annotation names that are invalid, or labels starting with `__`.

    Under the classic (non-UTF-8) naming scheme that Prometheus 2 uses, a
    label or annotation name is letters, digits and underscores, not starting
    with a digit. Label names starting with `__` are reserved for Prometheus'
    internal use and are dropped or rejected.

    Fails:

    ```yaml
    groups:
      - name: http
        rules:
          - record: job:http_requests:rate5m
            expr: sum by (job) (rate(http_requests_total[5m]))
            labels:
              team-name: platform
              __source: obsgen
    ```

    Passes:

    ```yaml
    groups:
      - name: http
        rules:
          - record: job:http_requests:rate5m
            expr: sum by (job) (rate(http_requests_total[5m]))
            labels:
              team_name: platform
    ```
    """

    id = "rules/label-name"
    severity = Severity.ERROR

    def run(self, context: LintContext) -> Iterable[Finding]:
        for rule in context.rules:
            yield from _check_names(rule, "labels")
            yield from _check_names(rule, "annotations")


def _check_names(rule: Rule, section: str) -> Iterable[Finding]:
    values = rule.data.get(section)
    for name in values if isinstance(values, dict) else ():
        if not isinstance(name, str) or not LABEL_NAME.match(name):
            yield rule.finding(
                f"invalid {section[:-1]} name {name!r}; expected letters, digits and "
                "underscores, not starting with a digit",
                section,
                name,
            )
        elif section == "labels" and name.startswith("__"):
            yield rule.finding(
                f"label name {name!r} starts with '__', which Prometheus reserves; "
                "expected a name without the leading underscores",
                section,
                name,
            )
