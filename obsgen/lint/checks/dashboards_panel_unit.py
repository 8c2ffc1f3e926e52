"""The `dashboards/panel-unit` check."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from obsgen.lint.check import Check
from obsgen.lint.model import Finding, LintContext
from obsgen.lint.problem import Severity

# Panel types that plot or print numbers, so a reader needs their unit.
NUMERIC_PANEL_TYPES = {"timeseries", "graph", "stat", "gauge", "bargauge"}


class DashboardsPanelUnit(Check):
    """Panels that plot numbers without a unit.

    Without `fieldConfig.defaults.unit`, Grafana prints 0.25 where the
    query returns seconds, and a reader cannot tell 250 ms from 0.25 req/s.
    Set one of Grafana's unit ids, such as `s`, `reqps`, `percentunit` or
    `bytes`; use `none` for plain counts. Checked for timeseries, graph,
    stat, gauge and bargauge panels.

    Fails:

    ```json
    {
      "title": "HTTP",
      "uid": "example-service-http",
      "schemaVersion": 42,
      "panels": [
        {
          "id": 1,
          "type": "timeseries",
          "title": "Latency",
          "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0},
          "fieldConfig": {"defaults": {}, "overrides": []}
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
          "type": "timeseries",
          "title": "Latency",
          "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0},
          "fieldConfig": {"defaults": {"unit": "s"}, "overrides": []}
        }
      ]
    }
    ```
    """

    id = "dashboards/panel-unit"
    severity = Severity.WARNING

    def run(self, context: LintContext) -> Iterable[Finding]:
        for panel in context.panels:
            if panel.data.get("type") not in NUMERIC_PANEL_TYPES:
                continue
            field_config = panel.data.get("fieldConfig")
            defaults = (
                field_config.get("defaults")
                if isinstance(field_config, Mapping)
                else None
            )
            unit = defaults.get("unit") if isinstance(defaults, Mapping) else None
            if not isinstance(unit, str) or not unit:
                yield panel.finding(
                    f"{panel.data.get('type')} panel {panel.title!r} has no unit; "
                    "expected fieldConfig.defaults.unit such as s, reqps, percentunit "
                    "or none",
                )
