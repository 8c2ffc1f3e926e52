"""The `schema/provisioning` check."""

from __future__ import annotations

from collections.abc import Iterable

from obsgen.lint.check import Check
from obsgen.lint.model import DocumentKind, Finding, LintContext
from obsgen.lint.problem import Severity
from obsgen.lint.schemas import schema_findings


class SchemaProvisioning(Check):
    """Grafana provisioning files that do not match their format.

    Dashboard provider files (`providers:`) and datasource files
    (`datasources:`) need `apiVersion: 1`, a name and type for each entry,
    a provider `options.path`, and uids of at most 40 letters, digits,
    dashes or underscores. Grafana ignores keys it does not know, so they
    are allowed. The schema is `obsgen/schemas/grafana-provisioning.schema.json`.

    Fails:

    ```yaml
    apiVersion: 1
    datasources:
      - name: Prometheus
        type: prometheus
        uid: prometheus main
        access: server
        url: http://prometheus:9090
    ```

    Passes:

    ```yaml
    apiVersion: 1
    datasources:
      - name: Prometheus
        type: prometheus
        uid: prometheus-main
        access: proxy
        url: http://prometheus:9090
    ```
    """

    id = "schema/provisioning"
    severity = Severity.ERROR

    def run(self, context: LintContext) -> Iterable[Finding]:
        for kind in (DocumentKind.DASHBOARD_PROVIDER, DocumentKind.DATASOURCES):
            for document in context.of_kind(kind):
                yield from schema_findings(document, "grafana-provisioning")
