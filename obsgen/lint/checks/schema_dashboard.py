"""The `schema/dashboard` check."""

from __future__ import annotations

from collections.abc import Iterable

from obsgen.lint.check import Check
from obsgen.lint.model import DocumentKind, Finding, LintContext
from obsgen.lint.problem import Severity
from obsgen.lint.schemas import reported_elsewhere, schema_findings

# Violations that the dashboards/* checks report with a better message.
_SKIP = reported_elsewhere(
    [("required", "uid"), ("required", "id"), ("required", "gridPos"), ("type", "id")]
)


class SchemaDashboard(Check):
    """Dashboards that do not match the dashboard model obsgen emits.

    The schema, `obsgen/schemas/grafana-dashboard.schema.json`, covers the
    keys obsgen writes: a title, a uid, a `schemaVersion` of 36 or later
    (the model with datasource objects), and for each panel an id, a type
    and a `gridPos` of whole numbers. Grafana keeps keys it does not know,
    so they are allowed. A missing uid, id or gridPos is left to the
    dashboards/* checks.

    Fails:

    ```json
    {
      "title": "HTTP",
      "uid": "example-service-http",
      "schemaVersion": 16,
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
    """

    id = "schema/dashboard"
    severity = Severity.ERROR

    def run(self, context: LintContext) -> Iterable[Finding]:
        for document in context.of_kind(DocumentKind.DASHBOARD):
            yield from schema_findings(document, "grafana-dashboard", _SKIP)
