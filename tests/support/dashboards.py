"""Reading the queries and variables out of Grafana dashboard JSON documents."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.grafana_variables import VariableValue

# Grafana stores the "All" choice of a multi-value variable as this value.
ALL_VALUE = "$__all"


@dataclass(frozen=True)
class DashboardQuery:
    """One Prometheus query of one panel."""

    dashboard: str
    panel: str
    ref_id: str
    expr: str

    def __str__(self) -> str:
        return f"{self.dashboard} / {self.panel!r} / {self.ref_id}"


@dataclass(frozen=True)
class QueryVariable:
    """A dashboard variable whose options come from a Prometheus query."""

    dashboard: str
    name: str
    query: str


def load_dashboards(bundle_dir: Path) -> list[tuple[str, dict[str, Any]]]:
    """Return (path relative to the bundle, document) for each dashboard JSON file."""
    return [
        (path.relative_to(bundle_dir).as_posix(), json.loads(path.read_bytes()))
        for path in sorted((bundle_dir / "grafana" / "dashboards").glob("*.json"))
    ]


def iter_panels(document: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Yield every panel, rows included, and the panels of collapsed rows."""
    for panel in document.get("panels") or []:
        yield panel
        # A collapsed row keeps its panels inside it, but an expanded row's
        # panels follow it at the top level.
        yield from panel.get("panels") or []


def dashboard_queries(name: str, document: Mapping[str, Any]) -> list[DashboardQuery]:
    """Return every `targets[].expr` of every panel, in display order."""
    queries = []
    for panel in iter_panels(document):
        for index, target in enumerate(panel.get("targets") or []):
            expr = target.get("expr")
            if expr is None:
                continue
            ref_id = target.get("refId") or f"#{index}"
            title = panel.get("title") or f"panel {panel.get('id')}"
            queries.append(DashboardQuery(name, title, ref_id, expr))
    return queries


def query_variables(name: str, document: Mapping[str, Any]) -> list[QueryVariable]:
    """Return the dashboard's `query` variables and their query text."""
    variables = []
    for variable in (document.get("templating") or {}).get("list") or []:
        if variable.get("type") != "query":
            continue
        query = variable.get("query")
        # Grafana 10 stores either the text or {"query": text, "refId": ...}.
        if isinstance(query, Mapping):
            query = query.get("query")
        variables.append(QueryVariable(name, variable["name"], query or ""))
    return variables


def current_values(document: Mapping[str, Any]) -> dict[str, VariableValue]:
    """Return each variable's saved current value, as Grafana would substitute it.

    "All" becomes the variable's custom all value, or `.*`. A multi-value or
    "include All" variable's selection stays a list, so that substitution
    escapes and joins it.
    """
    values: dict[str, VariableValue] = {}
    for variable in (document.get("templating") or {}).get("list") or []:
        current = (variable.get("current") or {}).get("value")
        if current is None:
            continue
        selected = [current] if isinstance(current, str) else list(current)
        if ALL_VALUE in selected:
            values[variable["name"]] = variable.get("allValue") or ".*"
        elif variable.get("multi") or variable.get("includeAll"):
            values[variable["name"]] = selected
        else:
            # Grafana inserts a single-value variable without regex escaping.
            values[variable["name"]] = selected[0] if selected else ""
    return values
