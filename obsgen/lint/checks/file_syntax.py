"""The `file/syntax` check."""

from __future__ import annotations

from collections.abc import Iterable

from obsgen.lint.check import Check
from obsgen.lint.model import Finding, LintContext
from obsgen.lint.problem import Severity


class FileSyntax(Check):
    """Files that cannot be read, parsed or classified.

    obsgen reads rule files and provisioning files as YAML and dashboards as
    JSON. A file that is not valid YAML or JSON, that repeats a key (YAML
    and JSON readers keep only the last one, so the first is silently lost),
    or that is none of the kinds obsgen reads is reported here and not
    checked further. The other files are still checked.

    Fails:

    ```yaml
    groups:
      - name: http
        rules:
          - record: job:http_requests:rate5m
            expr: sum by (job) (rate(http_requests_total[5m]))
            expr: sum by (job) (rate(http_requests_total[10m]))
    ```

    Passes:

    ```yaml
    groups:
      - name: http
        rules:
          - record: job:http_requests:rate5m
            expr: sum by (job) (rate(http_requests_total[5m]))
    ```
    """

    id = "file/syntax"
    severity = Severity.ERROR

    def run(self, context: LintContext) -> Iterable[Finding]:
        # The loader reports these problems while it reads the files.
        return ()
