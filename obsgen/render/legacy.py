"""Dashboards from grafanalib, upgraded to the model obsgen emits.

grafanalib writes Grafana's old JSON model: schemaVersion 12 with `rows`
of panels sized by `span`, datasources as name strings, `graph` and
`singlestat` panels, legacy keys and many nulls. This module rewrites that
JSON into the current model (datasource objects, `gridPos`, `timeseries`
and `stat` panels, units in `fieldConfig`) and loads it into the SDK's
model, so render_dashboard then treats it like any other dashboard.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from grafana_foundation_sdk.cog.plugins import register_default_plugins
from grafana_foundation_sdk.models import dashboard as dashboard_model

# Grafana's grid constants (app/core/constants.ts): cells 30 px high with an
# 8 px margin, at least 90 px per panel, 250 px rows and span 4 by default.
GRID_CELL_HEIGHT_PX = 30
GRID_CELL_MARGIN_PX = 8
MIN_PANEL_HEIGHT_PX = 90
DEFAULT_ROW_HEIGHT_PX = 250
DEFAULT_SPAN = 4
PANEL_TYPE_UPGRADES = {"graph": "timeseries", "singlestat": "stat"}
PROMETHEUS_DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
GRAFANA_DATASOURCE = {"type": "grafana", "uid": "-- Grafana --"}

_DASHBOARD_KEYS = ("title", "description", "tags", "timezone", "editable",
                   "graphTooltip", "time", "refresh", "links")  # fmt: skip
_PANEL_KEYS = ("title", "description", "transparent", "repeat", "repeatDirection",
               "maxPerRow", "links", "timeFrom", "timeShift", "transformations",
               "interval", "maxDataPoints", "content", "mode", "collapsed")  # fmt: skip
_TARGET_KEYS = ("refId", "expr", "legendFormat", "instant", "range", "format",
                "interval", "hide", "exemplar")  # fmt: skip
_VARIABLE_KEYS = ("name", "type", "label", "description", "query", "definition",
                  "current", "options", "refresh", "regex", "sort", "multi",
                  "includeAll", "allValue", "hide", "skipUrlSync")  # fmt: skip


def is_grafanalib_dashboard(value: object) -> bool:
    """Return whether `value` is a grafanalib Dashboard; grafanalib is optional."""
    module = type(value).__module__
    return module.startswith("grafanalib") and hasattr(value, "to_json_data")


def grafanalib_json(dashboard: Any) -> dict[str, Any]:
    """Return the JSON grafanalib writes for `dashboard`."""
    from grafanalib._gen import DashboardEncoder

    return json.loads(json.dumps(dashboard.to_json_data(), cls=DashboardEncoder))


class LegacyDashboardBuilder:
    """Stands in for an SDK dashboard builder: `build()` returns the model."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        register_default_plugins()
        self._model = dashboard_model.Dashboard.from_json(upgrade_dashboard(document))

    def build(self) -> dashboard_model.Dashboard:
        return self._model


def upgrade_dashboard(document: Mapping[str, Any]) -> dict[str, Any]:
    """Return the dashboard JSON `document` rewritten into the current model.

    obsgen sets the uid, id, schemaVersion and panel ids itself, so they are
    dropped here.
    """
    document = _without_nulls(document)
    result = {key: document[key] for key in _DASHBOARD_KEYS if key in document}
    panels = [_upgrade_panel(panel) for panel in document.get("panels", [])]
    for row in document.get("rows", []):
        panels.extend(_upgrade_row(row))
    result["panels"] = panels
    variables = document.get("templating", {}).get("list", [])
    result["templating"] = {"list": [_upgrade_variable(v) for v in variables]}
    annotations = document.get("annotations", {}).get("list", [])
    if annotations:
        result["annotations"] = {"list": [_upgrade_annotation(a) for a in annotations]}
    return result


def _without_nulls(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {
            key: _without_nulls(item) for key, item in value.items() if item is not None
        }
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value


def _datasource(value: Any) -> dict[str, str]:
    # A name string, the old model, becomes the dashboard's datasource variable;
    # a reference that is already an object is kept.
    if isinstance(value, Mapping) and value.get("uid"):
        return dict(value)
    if value in ("-- Grafana --", "grafana"):
        return dict(GRAFANA_DATASOURCE)
    return dict(PROMETHEUS_DATASOURCE)


def _grid_height(height: Any) -> int:
    pixels = DEFAULT_ROW_HEIGHT_PX
    if isinstance(height, (int, float)):
        pixels = int(height)
    elif isinstance(height, str) and height.rstrip("px").strip().isdigit():
        pixels = int(height.rstrip("px").strip())
    pixels = max(pixels, MIN_PANEL_HEIGHT_PX)
    return math.ceil(pixels / (GRID_CELL_HEIGHT_PX + GRID_CELL_MARGIN_PX))


def _upgrade_row(row: Mapping[str, Any]) -> list[dict[str, Any]]:
    # Rows were 12 spans wide; the grid is 24 columns. render_dashboard then
    # places the panels left to right, so x and y are left to it.
    children = []
    for panel in row.get("panels", []):
        upgraded = _upgrade_panel(panel)
        width = min(int(panel.get("span") or DEFAULT_SPAN) * 2, 24)
        height = _grid_height(panel.get("height") or row.get("height"))
        upgraded["gridPos"] = {"h": height, "w": width, "x": 0, "y": 0}
        children.append(upgraded)
    if not row.get("showTitle") and not row.get("title"):
        return children
    collapsed = bool(row.get("collapse"))
    header = {"type": "row", "title": row.get("title", ""), "collapsed": collapsed}
    header["panels"] = children if collapsed else []
    return [header] if collapsed else [header, *children]


def _upgrade_panel(panel: Mapping[str, Any]) -> dict[str, Any]:
    panel_type = PANEL_TYPE_UPGRADES.get(
        panel.get("type", ""), panel.get("type", "text")
    )
    result: dict[str, Any] = {"type": panel_type}
    result.update({key: panel[key] for key in _PANEL_KEYS if key in panel})
    if "gridPos" in panel:
        result["gridPos"] = panel["gridPos"]
    if panel_type == "row":
        result["panels"] = [_upgrade_panel(child) for child in panel.get("panels", [])]
        return result
    if panel.get("targets") or "datasource" in panel:
        result["datasource"] = _datasource(panel.get("datasource"))
    result["targets"] = [
        _upgrade_target(t, result.get("datasource")) for t in panel.get("targets", [])
    ]
    result["fieldConfig"] = _field_config(panel)
    if panel_type == panel.get("type") and isinstance(panel.get("options"), Mapping):
        result["options"] = panel["options"]
    return result


def _upgrade_target(target: Mapping[str, Any], datasource: Any) -> dict[str, Any]:
    result = {key: target[key] for key in _TARGET_KEYS if key in target}
    result["datasource"] = dict(datasource or PROMETHEUS_DATASOURCE)
    return result


def _field_config(panel: Mapping[str, Any]) -> dict[str, Any]:
    field_config = (
        panel.get("fieldConfig")
        if isinstance(panel.get("fieldConfig"), Mapping)
        else {}
    )
    defaults = dict(field_config.get("defaults", {}))
    if not defaults.get("unit"):
        defaults.pop("unit", None)
        unit = _legacy_unit(panel)
        if unit:
            defaults["unit"] = unit
    thresholds = defaults.get("thresholds")
    if isinstance(thresholds, Mapping) and not thresholds.get("steps"):
        defaults.pop("thresholds")
    return {"defaults": defaults, "overrides": list(field_config.get("overrides", []))}


def _legacy_unit(panel: Mapping[str, Any]) -> str | None:
    # graph panels keep the unit in their left y axis, singlestat in `format`.
    axes = panel.get("yaxes")
    if isinstance(axes, list) and axes and isinstance(axes[0], Mapping):
        return axes[0].get("format")
    unit = panel.get("format") or panel.get("unit")
    return unit if isinstance(unit, str) and unit else None


def _upgrade_variable(variable: Mapping[str, Any]) -> dict[str, Any]:
    result = {key: variable[key] for key in _VARIABLE_KEYS if key in variable}
    if "datasource" in variable and variable.get("type") != "datasource":
        result["datasource"] = _datasource(variable["datasource"])
    return result


def _upgrade_annotation(annotation: Mapping[str, Any]) -> dict[str, Any]:
    result = dict(annotation)
    if "datasource" in result:
        result["datasource"] = _datasource(result["datasource"])
    return result
