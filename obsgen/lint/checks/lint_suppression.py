"""The `lint/suppression` check."""

from __future__ import annotations

from collections.abc import Iterable

from obsgen.lint.check import Check
from obsgen.lint.model import Finding, LintContext
from obsgen.lint.problem import Severity


class LintSuppression(Check):
    """Suppression comments without a reason, or for a check that does not exist.

    A rule file may silence one check for one rule with a comment on the
    lines right above the rule: `# obsgen: suppress CHECK-ID REASON`. The
    reason is required, so that a reviewer can see why the finding is accepted.
    Definitions pass `suppress={"check/id": "reason"}` instead, and obsgen
    rejects a bad one when it loads the definition.

    Fails:

    ```yaml
    groups:
      - name: http
        rules:
          # obsgen: suppress promql/rate-window
          - record: job:http_requests:rate30s
            expr: sum by (job) (rate(http_requests_total[30s]))
    ```

    Passes:

    ```yaml
    groups:
      - name: http
        rules:
          # obsgen: suppress promql/rate-window this job is scraped every 5s
          - record: job:http_requests:rate30s
            expr: sum by (job) (rate(http_requests_total[30s]))
    ```
    """

    id = "lint/suppression"
    severity = Severity.ERROR

    def run(self, context: LintContext) -> Iterable[Finding]:
        from obsgen.lint.registry import REGISTRY

        for document in context.documents:
            for path, suppressions in document.file_suppressions.items():
                for check_id, reason in suppressions.items():
                    if check_id not in REGISTRY:
                        yield Finding(
                            document,
                            path,
                            f"suppression of unknown check {check_id!r}; expected an "
                            "id listed in docs/checks.md",
                        )
                    elif not reason.strip():
                        yield Finding(
                            document,
                            path,
                            f"suppression of {check_id} has no reason; expected "
                            f"'# obsgen: suppress {check_id} <why it is fine>'",
                        )
