"""The `dashboards/duplicate-title` check."""

from __future__ import annotations

from collections.abc import Iterable

from obsgen.lint.check import Check
from obsgen.lint.grafana import dashboards
from obsgen.lint.model import Document, Finding, LintContext
from obsgen.lint.problem import Severity


class DashboardsDuplicateTitle(Check):
    """The same dashboard title twice in one folder.

    Grafana rejects a second dashboard with the title of one already in the
    folder, so provisioning loads only one of them. The folder is the one
    the bundle's dashboard provider names. For dashboard files checked on
    their own, it is the folder of the provider file checked with them, if
    there is one.

    Fails:

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
      "title": "HTTP",
      "uid": "example-service-http-2",
      "schemaVersion": 42,
      "panels": []
    }
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
      "title": "HTTP details",
      "uid": "example-service-http-2",
      "schemaVersion": 42,
      "panels": []
    }
    ```
    """

    id = "dashboards/duplicate-title"
    severity = Severity.ERROR

    def run(self, context: LintContext) -> Iterable[Finding]:
        seen: dict[tuple[str | None, str], Document] = {}
        for document in dashboards(context):
            title = document.data.get("title")
            if not isinstance(title, str):
                continue
            key = (document.folder, title.strip().lower())
            first = seen.setdefault(key, document)
            if first is not document:
                where = (
                    f"folder {document.folder!r}" if document.folder else "its folder"
                )
                yield Finding(
                    document,
                    ("title",),
                    f"dashboard title {title!r} is also the title of {first.path} in "
                    f"{where}; expected a unique title per folder",
                )
