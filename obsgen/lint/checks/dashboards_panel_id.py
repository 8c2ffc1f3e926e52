"""The `dashboards/panel-id` check."""

from __future__ import annotations

from collections.abc import Iterable

from obsgen.lint.check import Check
from obsgen.lint.model import Finding, LintContext, Panel
from obsgen.lint.problem import Severity
from obsgen.yamlsource import format_json_path


class DashboardsPanelId(Check):
    """Panels without an id, or two panels with one id, rows included.

    Grafana addresses panels by id in links (`viewPanel=3`), in library
    panels and in alerts. With two panels sharing an id, one of them is
    unreachable and editing one may change the other. Rows and the panels
    inside collapsed rows share the same id space.

    Fails:

    ```json
    {
      "title": "HTTP",
      "uid": "example-service-http",
      "schemaVersion": 42,
      "panels": [
        {
          "id": 1,
          "type": "row",
          "title": "Traffic",
          "collapsed": true,
          "gridPos": {"h": 1, "w": 24, "x": 0, "y": 0},
          "panels": [
            {
              "id": 1,
              "type": "text",
              "title": "Notes",
              "gridPos": {"h": 4, "w": 24, "x": 0, "y": 1}
            }
          ]
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
          "type": "row",
          "title": "Traffic",
          "collapsed": true,
          "gridPos": {"h": 1, "w": 24, "x": 0, "y": 0},
          "panels": [
            {
              "id": 2,
              "type": "text",
              "title": "Notes",
              "gridPos": {"h": 4, "w": 24, "x": 0, "y": 1}
            }
          ]
        }
      ]
    }
    ```
    """

    id = "dashboards/panel-id"
    severity = Severity.ERROR

    def run(self, context: LintContext) -> Iterable[Finding]:
        seen: dict[tuple[int, object], Panel] = {}
        for panel in context.panels:
            panel_id = panel.data.get("id")
            if not isinstance(panel_id, int) or isinstance(panel_id, bool):
                yield panel.finding(
                    f"panel {panel.title!r} has no numeric id (got {panel_id!r}); "
                    "expected a unique integer id",
                    "id",
                )
                continue
            first = seen.setdefault((id(panel.document), panel_id), panel)
            if first is not panel:
                yield panel.finding(
                    f"panel id {panel_id} of {panel.title!r} is also the id of "
                    f"{first.title!r} at {format_json_path(first.json_path)}; expected "
                    "a unique id per dashboard",
                    "id",
                )
