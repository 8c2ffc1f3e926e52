"""The `dashboards/datasource` check."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from obsgen.lint.check import Check
from obsgen.lint.grafana import (
    BUILT_IN_DATASOURCES,
    dashboards,
    datasource_references,
    datasource_variables,
    variable_reference,
)
from obsgen.lint.model import Finding, LintContext
from obsgen.lint.problem import Severity


class DashboardsDatasource(Check):
    """String datasources, or datasource uids nothing defines.

    Since Grafana 8.3 a datasource reference is an object with `type` and
    `uid`. A plain string is the old model: Grafana resolves it by name, so
    it breaks when the datasource is renamed. A uid must be a datasource
    variable of the dashboard (`${datasource}`) or, when the provisioned
    datasources are known, one of their uids. The `${DS_...}` placeholders
    are `dashboards/inputs`' to report.

    Fails:

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
          "datasource": "Prometheus"
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
      "templating": {
        "list": [{"name": "datasource", "type": "datasource", "query": "prometheus"}]
      },
      "panels": [
        {
          "id": 1,
          "type": "text",
          "title": "Notes",
          "gridPos": {"h": 4, "w": 24, "x": 0, "y": 0},
          "datasource": {"type": "prometheus", "uid": "${datasource}"}
        }
      ]
    }
    ```
    """

    id = "dashboards/datasource"
    severity = Severity.ERROR

    def run(self, context: LintContext) -> Iterable[Finding]:
        for document in dashboards(context):
            variables = datasource_variables(document)
            for path, reference in datasource_references(document):
                message = _problem(reference, variables, context.datasource_uids)
                if message is not None:
                    yield Finding(document, path, message)


def _problem(
    reference: object, variables: set[str], provisioned: frozenset[str] | None
) -> str | None:
    if reference is None:
        return None
    if isinstance(reference, str):
        return (
            f"datasource {reference!r} is a string, Grafana's model before 8.3; "
            'expected an object such as {"type": "prometheus", "uid": "${datasource}"}'
        )
    if not isinstance(reference, Mapping):
        return f"datasource {reference!r} is not an object with a uid"
    uid = reference.get("uid")
    if not isinstance(uid, str) or uid in BUILT_IN_DATASOURCES or "${DS_" in uid:
        return None
    variable = variable_reference(uid)
    if variable is not None:
        if variable in variables:
            return None
        return (
            f"datasource uid {uid!r} references the variable {variable!r}, which "
            "the dashboard does not define as a datasource variable; expected one "
            f"of: {_names(variables)}"
        )
    if provisioned is None or uid in provisioned:
        return None
    return (
        f"datasource uid {uid!r} is neither a provisioned datasource "
        f"({_names(provisioned)}) nor a datasource variable ({_names(variables)}); "
        "expected one of them"
    )


def _names(names: Iterable[str]) -> str:
    return ", ".join(sorted(names)) or "none"
