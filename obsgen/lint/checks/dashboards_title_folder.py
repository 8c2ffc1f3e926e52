"""The `dashboards/title-folder` check."""

from __future__ import annotations

from collections.abc import Iterable

from obsgen.lint.check import Check
from obsgen.lint.grafana import dashboards
from obsgen.lint.model import Finding, LintContext
from obsgen.lint.problem import Severity


class DashboardsTitleFolder(Check):
    """A dashboard title equal to the name of its folder.

    Grafana refuses to save a dashboard whose title equals the title of the
    folder it is in, so provisioning fails for it. The folder comes from the
    dashboard provider, as for `dashboards/duplicate-title`.

    Fails, in the folder "Example Service":

    ```json
    {
      "title": "Example Service",
      "uid": "example-service",
      "schemaVersion": 42,
      "panels": []
    }
    ```

    ```yaml
    apiVersion: 1
    providers:
      - name: example-service
        folder: Example Service
        type: file
        options: {path: /var/lib/grafana/dashboards/example-service}
    ```

    Passes:

    ```json
    {
      "title": "Example Service / HTTP",
      "uid": "example-service",
      "schemaVersion": 42,
      "panels": []
    }
    ```

    ```yaml
    apiVersion: 1
    providers:
      - name: example-service
        folder: Example Service
        type: file
        options: {path: /var/lib/grafana/dashboards/example-service}
    ```
    """

    id = "dashboards/title-folder"
    severity = Severity.ERROR

    def run(self, context: LintContext) -> Iterable[Finding]:
        for document in dashboards(context):
            title = document.data.get("title")
            folder = document.folder
            if not isinstance(title, str) or not folder:
                continue
            if title.strip().lower() == folder.strip().lower():
                yield Finding(
                    document,
                    ("title",),
                    f"dashboard title {title!r} equals the name of its folder "
                    f"{folder!r}; expected a title that differs from the folder's",
                )
