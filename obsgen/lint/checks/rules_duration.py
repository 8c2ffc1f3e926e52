"""The `rules/duration` check."""

from __future__ import annotations

from collections.abc import Iterable

from obsgen.duration import DURATION_HINT, parse_duration
from obsgen.lint.check import Check
from obsgen.lint.model import DocumentKind, Finding, LintContext
from obsgen.lint.problem import Severity


class RulesDuration(Check):
    """Invalid durations in rule files.

    A group's `interval` and an alert's `for` and `keep_firing_for` are
    Prometheus durations: whole numbers with the units y, w, d, h, m, s and
    ms, largest first, such as `90s` or `1h30m`. `1.5m`, `5 m` or `5min`
    make Prometheus reject the whole file.

    Fails:

    ```yaml
    groups:
      - name: availability
        interval: 30sec
        rules:
          - record: job:up:sum
            expr: sum by (job) (up)
    ```

    Passes:

    ```yaml
    groups:
      - name: availability
        interval: 30s
        rules:
          - record: job:up:sum
            expr: sum by (job) (up)
    ```
    """

    id = "rules/duration"
    severity = Severity.ERROR

    def run(self, context: LintContext) -> Iterable[Finding]:
        for document in context.of_kind(DocumentKind.RULES):
            groups = (
                document.data.get("groups") if isinstance(document.data, dict) else None
            )
            for index, group in enumerate(groups if isinstance(groups, list) else []):
                if isinstance(group, dict) and "interval" in group:
                    yield from _check(
                        document, ("groups", index, "interval"), group["interval"]
                    )
        for rule in context.rules:
            for key in ("for", "keep_firing_for"):
                if key in rule.data:
                    yield from _check(
                        rule.document, (*rule.json_path, key), rule.data[key]
                    )


def _check(document, json_path, value) -> Iterable[Finding]:
    try:
        parse_duration(value)
    except ValueError:
        yield Finding(
            document,
            json_path,
            f"invalid duration {value!r} in {json_path[-1]}; {DURATION_HINT}",
        )
