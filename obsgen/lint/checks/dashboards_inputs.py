"""The `dashboards/inputs` check."""

from __future__ import annotations

from collections.abc import Iterable

from obsgen.lint.check import Check
from obsgen.lint.grafana import dashboards, strings_in
from obsgen.lint.model import Finding, LintContext
from obsgen.lint.problem import Severity


class DashboardsInputs(Check):
    """`${DS_...}` placeholders or `__inputs` from a dashboard exported for sharing.

    Grafana's "Export for sharing externally" replaces datasources with
    `${DS_PROMETHEUS}` placeholders listed in `__inputs`, which only the
    import dialog fills in. File provisioning does not, so every panel of
    such a dashboard shows "datasource not found". Export without that
    option, or reference the datasource by uid or a datasource variable.

    Fails:

    ```json
    {
      "__inputs": [
        {"name": "DS_PROMETHEUS", "type": "datasource", "pluginId": "prometheus"}
      ],
      "title": "HTTP",
      "uid": "example-service-http",
      "schemaVersion": 42,
      "panels": [
        {
          "id": 1,
          "type": "text",
          "title": "Notes",
          "gridPos": {"h": 4, "w": 24, "x": 0, "y": 0},
          "datasource": {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}
        }
      ]
    }
    ```

    Passes:

    ```json
    {
      "title": "HTTP",
      "uid": "example-service-http",
      "schemaVersion": 42,
      "panels": [
        {
          "id": 1,
          "type": "text",
          "title": "Notes",
          "gridPos": {"h": 4, "w": 24, "x": 0, "y": 0},
          "datasource": {"type": "prometheus", "uid": "prometheus"}
        }
      ]
    }
    ```
    """

    id = "dashboards/inputs"
    severity = Severity.ERROR

    def run(self, context: LintContext) -> Iterable[Finding]:
        for document in dashboards(context):
            if "__inputs" in document.data:
                yield Finding(
                    document,
                    ("__inputs",),
                    "dashboard has __inputs, which only Grafana's import dialog "
                    "fills in; expected a dashboard exported without 'Export for "
                    "sharing externally'",
                )
            for path, text in strings_in(document.data):
                if "${DS_" in text and path[:1] != ("__inputs",):
                    yield Finding(
                        document,
                        path,
                        f"{text!r} is an import placeholder that provisioning leaves "
                        "unresolved; expected a datasource uid or a datasource "
                        "variable such as ${datasource}",
                    )
