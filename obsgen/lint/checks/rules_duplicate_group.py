"""The `rules/duplicate-group` check."""

from __future__ import annotations

from collections.abc import Iterable

from obsgen.lint.check import Check
from obsgen.lint.model import DocumentKind, Finding, LintContext
from obsgen.lint.problem import Severity


class RulesDuplicateGroup(Check):
    """The same group name twice in one rule file.

    Prometheus rejects a rule file whose groups share a name, so none of its
    rules are loaded.

    Fails:

    ```yaml
    groups:
      - name: http
        rules:
          - record: job:http_requests:rate5m
            expr: sum by (job) (rate(http_requests_total[5m]))
      - name: http
        rules:
          - record: job:http_requests:rate1h
            expr: sum by (job) (rate(http_requests_total[1h]))
    ```

    Passes:

    ```yaml
    groups:
      - name: http
        rules:
          - record: job:http_requests:rate5m
            expr: sum by (job) (rate(http_requests_total[5m]))
      - name: http-slow
        rules:
          - record: job:http_requests:rate1h
            expr: sum by (job) (rate(http_requests_total[1h]))
    ```
    """

    id = "rules/duplicate-group"
    severity = Severity.ERROR

    def run(self, context: LintContext) -> Iterable[Finding]:
        for document in context.of_kind(DocumentKind.RULES):
            groups = (
                document.data.get("groups") if isinstance(document.data, dict) else None
            )
            seen: dict[str, int] = {}
            for index, group in enumerate(groups if isinstance(groups, list) else []):
                name = group.get("name") if isinstance(group, dict) else None
                if not isinstance(name, str):
                    continue
                if name in seen:
                    yield Finding(
                        document,
                        ("groups", index, "name"),
                        f"group name {name!r} is used twice in this file, first by "
                        f"groups[{seen[name]}]; expected a unique name per file",
                    )
                seen.setdefault(name, index)
