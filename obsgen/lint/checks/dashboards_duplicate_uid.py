"""The `dashboards/duplicate-uid` check."""

from __future__ import annotations

from collections.abc import Iterable

from obsgen.lint.check import Check
from obsgen.lint.grafana import dashboards
from obsgen.lint.model import Document, Finding, LintContext
from obsgen.lint.problem import Severity


class DashboardsDuplicateUid(Check):
    """The same dashboard uid twice.

    Grafana keeps one dashboard per uid, so of two provisioned dashboards
    with one uid, one silently replaces the other on every reload.

    Fails:

    ```json
    {"title": "HTTP", "uid": "example-service", "schemaVersion": 42, "panels": []}
    ```

    ```json
    {"title": "Health", "uid": "example-service", "schemaVersion": 42, "panels": []}
    ```

    Passes:

    ```json
    {
      "title": "HTTP",
      "uid": "example-service-http",
      "schemaVersion": 42,
      "panels": []
    }
    ```

    ```json
    {
      "title": "Health",
      "uid": "example-service-health",
      "schemaVersion": 42,
      "panels": []
    }
    ```
    """

    id = "dashboards/duplicate-uid"
    severity = Severity.ERROR

    def run(self, context: LintContext) -> Iterable[Finding]:
        seen: dict[str, Document] = {}
        for document in dashboards(context):
            uid = document.data.get("uid")
            if not isinstance(uid, str) or not uid:
                continue
            first = seen.setdefault(uid, document)
            if first is not document:
                yield Finding(
                    document,
                    ("uid",),
                    f"dashboard uid {uid!r} is also the uid of {first.path}; "
                    "expected a unique uid per dashboard",
                )
