"""Grafana dashboards: what obsgen adds to every dashboard a definition builds.

Definitions build dashboards with the foundation SDK. This module then sets,
on the SDK's model objects: a deterministic uid, a null id, the `datasource`
variable and datasource references on every panel and query, the `job`,
`namespace` and `pod` variables the queries use, unique panel ids (rows
included) and a 24-column grid layout without overlaps. It also rejects
what Grafana would load but not run: invalid PromQL, undefined variables and
datasource references without a type or uid.
"""

from __future__ import annotations

import hashlib
import json
import re
import weakref
from typing import Any

import promql_parser
from grafana_foundation_sdk.builders import dashboard as dashboard_builder
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import dashboard as dashboard_model
from grafana_foundation_sdk.models.common import DataSourceRef

from obsgen.config.service import ServiceConfig
from obsgen.definitions.dashboards import DashboardDefinition
from obsgen.errors import DefinitionError, SourceLocation

GRID_COLUMNS = 24
DEFAULT_PANEL_WIDTH = 12
DEFAULT_PANEL_HEIGHT = 8
MAX_UID_LENGTH = 40

DATASOURCE_VARIABLE = "datasource"
PANEL_DATASOURCE = DataSourceRef(
    type_val="prometheus", uid=f"${{{DATASOURCE_VARIABLE}}}"
)

# Grafana's variable syntaxes: $name, ${name}, ${name:format} and [[name]].
_VARIABLE_RE = re.compile(r"\$(\w+)|\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)(?::[^\]]*)?\]\]")

# Values for Grafana's built-in interval variables, so that queries can be
# parsed as PromQL before Grafana has interpolated them. Only their form
# matters: a duration or a number of seconds or milliseconds.
_BUILT_IN_SAMPLES = {
    "__rate_interval": "1m",
    "__interval": "1m",
    "__interval_ms": "60000",
    "__range": "1h",
    "__range_s": "3600",
    "__range_ms": "3600000",
}
_BUILT_IN_RE = re.compile(
    r"\$\{(" + "|".join(_BUILT_IN_SAMPLES) + r")\}"
    r"|\$(" + "|".join(_BUILT_IN_SAMPLES) + r")(?!\w)"
)

# The definition line that created each query model, so an error can point at
# the query rather than at the dashboard function. obsgen.panels.query()
# records it, and queries built with the SDK directly have none.
_QUERY_LOCATIONS: weakref.WeakKeyDictionary[Any, SourceLocation] = (
    weakref.WeakKeyDictionary()
)


def record_query_location(target: Any, location: SourceLocation | None) -> None:
    """Remember that the query model `target` was written at `location`."""
    if location is not None:
        _QUERY_LOCATIONS[target] = location


def dashboard_uid(service_name: str, dashboard_name: str) -> str:
    """Derive a stable uid of at most 40 characters of [a-z0-9-]."""
    uid = re.sub(r"[^a-z0-9-]+", "-", f"{service_name}-{dashboard_name}".lower())
    uid = uid.strip("-")
    if len(uid) <= MAX_UID_LENGTH:
        return uid
    digest = hashlib.sha256(uid.encode("utf-8")).hexdigest()[:8]
    return f"{uid[: MAX_UID_LENGTH - 9].rstrip('-')}-{digest}"


def variables_in(text: str) -> set[str]:
    """Return the names of the Grafana variables that `text` references."""
    names = set()
    for match in _VARIABLE_RE.finditer(text):
        name = next(group for group in match.groups() if group)
        # `$1` and `${1}` are label_replace's regex group references, which
        # Grafana leaves alone unless a variable has that name.
        if not name.startswith("__") and not name.isdigit():
            names.add(name)
    return names


def iter_panels(model: dashboard_model.Dashboard) -> list[Any]:
    """Return every panel in display order, rows and the panels inside rows."""
    panels = []
    for panel in model.panels or []:
        panels.append(panel)
        if isinstance(panel, dashboard_model.RowPanel):
            panels.extend(panel.panels or [])
    return panels


def render_dashboard(
    definition: DashboardDefinition,
    builder: dashboard_builder.Dashboard,
    service: ServiceConfig,
) -> dict[str, Any]:
    """Build the dashboard and return it as the JSON document Grafana loads.

    Raises DefinitionError when a panel's query is not valid PromQL, uses a
    variable the dashboard does not define, or names an incomplete datasource.
    """
    model = builder.build()
    model.uid = dashboard_uid(service.name, definition.name)
    model.id_val = None
    if not model.title:
        raise DefinitionError(
            f"dashboard {definition.name!r} has no title",
            location=definition.location,
            hint="pass a title to dashboard.Dashboard(...)",
        )

    _move_panels_out_of_open_rows(model)
    _set_datasources(model, definition)
    _check_queries(model, definition)
    _add_variables(model, service)
    _check_variables(model, definition)
    _assign_panel_ids(model)
    _lay_out(model)
    if model.annotations.list_val is None:
        model.annotations.list_val = [_built_in_annotation()]

    document = json.loads(json.dumps(model, cls=JSONEncoder))
    # The SDK omits a None id, but Grafana provisioning expects an explicit null.
    document["id"] = None
    return document


def _move_panels_out_of_open_rows(model: dashboard_model.Dashboard) -> None:
    # Grafana drops the panels stored inside a row that is not collapsed, so an
    # open row's panels must follow it at the top level.
    panels = []
    for panel in model.panels or []:
        panels.append(panel)
        if isinstance(panel, dashboard_model.RowPanel) and not panel.collapsed:
            panels.extend(panel.panels or [])
            panel.panels = []
    if model.panels is not None:
        model.panels = panels


def _panel_name(panel: Any) -> str:
    return repr(panel.title) if panel.title else f"of type {panel.type_val!r}"


def _set_datasources(
    model: dashboard_model.Dashboard, definition: DashboardDefinition
) -> None:
    for panel in iter_panels(model):
        if isinstance(panel, dashboard_model.RowPanel):
            continue
        if panel.datasource is None:
            panel.datasource = PANEL_DATASOURCE
        _check_datasource(panel.datasource, f"panel {_panel_name(panel)}", definition)
        for index, target in enumerate(panel.targets or []):
            if getattr(target, "datasource", None) is None:
                target.datasource = panel.datasource
            _check_datasource(
                target.datasource,
                f"query {index + 1} of panel {_panel_name(panel)}",
                definition,
            )
            if not getattr(target, "ref_id", None):
                target.ref_id = _ref_id(index)


def _check_datasource(
    datasource: Any, owner: str, definition: DashboardDefinition
) -> None:
    # Grafana has stored datasources as {type, uid} references since
    # schemaVersion 33. obsgen accepts only that form.
    if isinstance(datasource, DataSourceRef) and datasource.type_val and datasource.uid:
        return
    raise DefinitionError(
        f"{owner} of dashboard {definition.name!r} has the datasource "
        f"{_describe_datasource(datasource)}, which lacks a type or uid",
        location=definition.location,
        hint="leave the datasource unset to use the dashboard's datasource "
        "variable, or pass DataSourceRef(type_val=..., uid=...)",
    )


def _describe_datasource(datasource: Any) -> str:
    if isinstance(datasource, DataSourceRef):
        return json.dumps(datasource.to_json(), sort_keys=True)
    return repr(datasource)


def _check_queries(
    model: dashboard_model.Dashboard, definition: DashboardDefinition
) -> None:
    for panel in iter_panels(model):
        for index, target in enumerate(getattr(panel, "targets", None) or []):
            expr = getattr(target, "expr", None)
            if expr is None:
                continue
            owner = f"query {index + 1} of panel {_panel_name(panel)}"
            location = _QUERY_LOCATIONS.get(target, definition.location)
            if not isinstance(expr, str) or not expr.strip():
                raise DefinitionError(
                    f"{owner} in dashboard {definition.name!r} has an empty expr",
                    location=location,
                    hint="pass a PromQL expression to query(...)",
                )
            try:
                promql_parser.parse(sample_interpolation(expr))
            except ValueError as error:
                raise DefinitionError(
                    f"{owner} in dashboard {definition.name!r} is invalid PromQL: "
                    f"{error}",
                    location=location,
                    hint=f"fix the expression {expr.strip()!r}. Grafana variables "
                    "other than the interval ones ($__rate_interval, $__range...) "
                    "belong inside label matcher strings",
                ) from None


def sample_interpolation(expr: str) -> str:
    """Replace Grafana's interval variables in `expr` with sample values.

    The result parses as PromQL when `expr` is valid once Grafana has
    interpolated it, provided that other variables appear only inside
    strings, such as label matcher values.
    """
    return _BUILT_IN_RE.sub(
        lambda match: _BUILT_IN_SAMPLES[match.group(1) or match.group(2)], expr
    )


def _ref_id(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _used_variables(model: dashboard_model.Dashboard) -> set[str]:
    used = set()
    for panel in iter_panels(model):
        for target in getattr(panel, "targets", None) or []:
            used |= variables_in(getattr(target, "expr", "") or "")
            used |= variables_in(getattr(target, "legend_format", "") or "")
        used |= variables_in(panel.title or "")
    return used


def _add_variables(model: dashboard_model.Dashboard, service: ServiceConfig) -> None:
    existing = {variable.name: variable for variable in model.templating.list_val or []}
    used = _used_variables(model)
    wanted = [_datasource_variable(service)]
    # Each variable's query uses the ones before it, so the order matters.
    if used & {"job", "namespace", "pod"}:
        wanted.append(_job_variable(service))
    if used & {"namespace", "pod"}:
        wanted.append(_namespace_variable(service))
    if "pod" in used:
        wanted.append(_pod_variable(service))

    added = [variable for variable in wanted if variable.name not in existing]
    model.templating.list_val = added + list(existing.values())


def _check_variables(
    model: dashboard_model.Dashboard, definition: DashboardDefinition
) -> None:
    defined = {variable.name for variable in model.templating.list_val or []}
    for panel in iter_panels(model):
        uses = [(panel.title or "", definition.location)]
        for target in getattr(panel, "targets", None) or []:
            location = _QUERY_LOCATIONS.get(target, definition.location)
            uses.append((getattr(target, "expr", "") or "", location))
            uses.append((getattr(target, "legend_format", "") or "", location))
        for text, location in uses:
            for name in sorted(variables_in(text) - defined):
                raise DefinitionError(
                    f"panel {_panel_name(panel)} of dashboard {definition.name!r} "
                    f"uses the variable ${name}, which the dashboard does not define",
                    location=location,
                    hint="define it with dashboard.QueryVariable, or use one that "
                    "obsgen adds: $datasource, $job, $namespace, $pod",
                )


def _datasource_variable(service: ServiceConfig) -> dashboard_model.VariableModel:
    current = dashboard_model.VariableOption(
        text=service.datasource.name, value=service.datasource.uid
    )
    return (
        dashboard_builder.DatasourceVariable(DATASOURCE_VARIABLE)
        .label("Data source")
        .type("prometheus")
        .current(current)
        .build()
    )


def _query_variable(
    name: str, label: str, query: str, current: str
) -> dashboard_builder.QueryVariable:
    return (
        dashboard_builder.QueryVariable(name)
        .label(label)
        .datasource(PANEL_DATASOURCE)
        .query(query)
        .definition(query)
        .current(dashboard_model.VariableOption(text=current, value=current))
        .refresh(dashboard_model.VariableRefresh.ON_TIME_RANGE_CHANGED)
        .sort(dashboard_model.VariableSort.ALPHABETICAL_ASC)
    )


def _job_variable(service: ServiceConfig) -> dashboard_model.VariableModel:
    return _query_variable("job", "Job", "label_values(up, job)", service.job).build()


def _namespace_variable(service: ServiceConfig) -> dashboard_model.VariableModel:
    query = 'label_values(up{job="$job"}, namespace)'
    return _query_variable("namespace", "Namespace", query, service.namespace).build()


def _pod_variable(service: ServiceConfig) -> dashboard_model.VariableModel:
    # Pod panels read cAdvisor and kube-state-metrics series, so the pods come
    # from kube_pod_info. "All" is the service's pod regex, not `.*`, which
    # would match every pod of the namespace.
    pod_regex = _promql_string_content(service.pod_regex)
    pods = f'kube_pod_info{{namespace="$namespace", pod=~"{pod_regex}"}}'
    query = f"label_values({pods}, pod)"
    return (
        _query_variable("pod", "Pod", query, "All")
        .current(dashboard_model.VariableOption(text="All", value="$__all"))
        .multi(True)
        .include_all(True)
        .all_value(pod_regex)
        .build()
    )


def _promql_string_content(value: str) -> str:
    # Grafana inserts a custom "All" value into `pod=~"$pod"` without escaping
    # it, so it must be escaped like the inside of a PromQL double-quoted string.
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _assign_panel_ids(model: dashboard_model.Dashboard) -> None:
    for panel_id, panel in enumerate(iter_panels(model), start=1):
        panel.id_val = panel_id


class _Flow:
    """Places panels left to right, wrapping to a new line on the 24-column grid."""

    def __init__(self, y: int) -> None:
        self.x = 0
        self.y = y
        self.line_height = 0

    def new_line(self) -> int:
        if self.x > 0:
            self.y += self.line_height
        self.x = 0
        self.line_height = 0
        return self.y

    def place(self, panel: Any) -> None:
        grid_pos = panel.grid_pos or dashboard_model.GridPos()
        width = min(max(grid_pos.w or DEFAULT_PANEL_WIDTH, 1), GRID_COLUMNS)
        height = max(grid_pos.h or DEFAULT_PANEL_HEIGHT, 1)
        if self.x + width > GRID_COLUMNS:
            self.new_line()
        panel.grid_pos = dashboard_model.GridPos(h=height, w=width, x=self.x, y=self.y)
        self.x += width
        self.line_height = max(self.line_height, height)


def _lay_out(model: dashboard_model.Dashboard) -> None:
    flow = _Flow(0)
    for panel in model.panels or []:
        if not isinstance(panel, dashboard_model.RowPanel):
            flow.place(panel)
            continue
        y = flow.new_line()
        panel.grid_pos = dashboard_model.GridPos(h=1, w=GRID_COLUMNS, x=0, y=y)
        flow.y += 1
        if panel.collapsed:
            # A collapsed row keeps its panels and shows them below itself
            # when expanded, so they take no room now.
            hidden = _Flow(flow.y)
            for child in panel.panels or []:
                hidden.place(child)
    flow.new_line()


def _built_in_annotation() -> dashboard_model.AnnotationQuery:
    return (
        dashboard_builder.AnnotationQuery()
        .name("Annotations & Alerts")
        .datasource(DataSourceRef(type_val="grafana", uid="-- Grafana --"))
        .enable(True)
        .hide(True)
        .icon_color("rgba(0, 211, 255, 1)")
        .type("dashboard")
        .built_in(1)
        .build()
    )
