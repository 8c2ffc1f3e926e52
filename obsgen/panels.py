"""Helpers that keep dashboard definitions short.

The PromQL helpers return query strings that select the service through the
dashboard's variables and use `$__rate_interval` as every rate window. The
panel helpers return SDK builders with obsgen's defaults, which definitions
refine with the SDK's own methods (`.span()`, `.thresholds()`...).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TypeVar

from grafana_foundation_sdk.builders import (
    bargauge,
    dashboard,
    gauge,
    prometheus,
    stat,
    statetimeline,
    table,
    timeseries,
)
from grafana_foundation_sdk.builders import common as common_builder
from grafana_foundation_sdk.models import common as common_model
from grafana_foundation_sdk.models import dashboard as dashboard_model
from grafana_foundation_sdk.models import prometheus as prometheus_model

from obsgen.config.service import ServiceConfig
from obsgen.errors import caller_location
from obsgen.render.grafana import GRID_COLUMNS, record_query_location

__all__ = [
    "DEGRADED",
    "GRID_COLUMNS",
    "HEALTHY",
    "POD_SELECTOR",
    "RATE_INTERVAL",
    "SERVICE_SELECTOR",
    "UNHEALTHY",
    "PanelBuilder",
    "add_row",
    "aggregate",
    "alert_thresholds",
    "alert_timeseries_panel",
    "bar_gauge_panel",
    "gauge_panel",
    "health_stat_panel",
    "health_status_mappings",
    "health_status_thresholds",
    "health_timeline_panel",
    "histogram_mean",
    "histogram_quantile",
    "increase",
    "label_matcher",
    "last_value",
    "legend_table",
    "new_dashboard",
    "pod_series",
    "query",
    "rate",
    "ratio",
    "service_series",
    "stat_panel",
    "state_timeline_panel",
    "sum_rate",
    "table_panel",
    "table_query",
    "threshold_lines",
    "thresholds",
    "thresholds_color",
    "timeseries_panel",
    "value_mappings",
]

# Dashboard queries select the service through variables, so one dashboard
# serves every namespace the job runs in.
SERVICE_SELECTOR = 'job="$job", namespace="$namespace"'
POD_SELECTOR = 'namespace="$namespace", pod=~"$pod"'

# Grafana (7.2 and later) sets $__rate_interval to
# max($__interval + scrape interval, 4 * scrape interval), with the scrape
# interval from the datasource's timeInterval. A rate thus spans at least four
# samples, and consecutive windows leave no sample out.
RATE_INTERVAL = "$__rate_interval"

# The SDK panel builders that the helpers below start.
PanelBuilder = (
    timeseries.Panel
    | stat.Panel
    | gauge.Panel
    | bargauge.Panel
    | table.Panel
    | statetimeline.Panel
)
_Panel = TypeVar(
    "_Panel",
    timeseries.Panel,
    stat.Panel,
    gauge.Panel,
    bargauge.Panel,
    table.Panel,
    statetimeline.Panel,
)

# The values of the template's health_check_status gauge.
HEALTHY = 1.0
DEGRADED = 0.5
UNHEALTHY = 0.0


# Dashboards


def new_dashboard(
    service: ServiceConfig, title: str, description: str
) -> dashboard.Dashboard:
    """Start a dashboard with the settings every obsgen dashboard shares.

    Its links menu lists the service's other obsgen dashboards and keeps the
    time range and variables when switching between them.
    """
    return (
        dashboard.Dashboard(f"{service.name} / {title}")
        .description(description)
        .tags(["obsgen", service.name, service.team])
        .time("now-6h", "now")
        .refresh("1m")
        .timezone("browser")
        .tooltip(dashboard_model.DashboardCursorSync.CROSSHAIR)
        .readonly()
        .link(
            dashboard.DashboardLink(f"{service.name} dashboards")
            .type(dashboard_model.DashboardLinkType.DASHBOARDS)
            .tags(["obsgen", service.name])
            .as_dropdown(True)
            .include_vars(True)
            .keep_time(True)
        )
    )


def add_row(
    board: dashboard.Dashboard, title: str, *panels: PanelBuilder
) -> dashboard.Dashboard:
    """Add an open row titled `title` to `board`, with `panels` below it."""
    board = board.with_row(dashboard.Row(title))
    for panel in panels:
        board = board.with_panel(panel)
    return board


# PromQL


def service_series(metric: str, *matchers: str) -> str:
    """Return a selector of `metric` in the dashboard's job and namespace.

    `matchers` are more PromQL label matchers, such as `'status=~"5.."'`.
    """
    return f"{metric}{{{', '.join((SERVICE_SELECTOR, *matchers))}}}"


def pod_series(metric: str, *matchers: str) -> str:
    """Return a selector of a cAdvisor or kube-state-metrics `metric` for the
    dashboard's namespace and pods."""
    return f"{metric}{{{', '.join((POD_SELECTOR, *matchers))}}}"


def label_matcher(name: str, value: str, operator: str = "=") -> str:
    """Return a label matcher such as `container="api"`, quoting `value` for PromQL.

    Use it for values from the service configuration, which may contain
    quotes or backslashes.
    """
    # A JSON string is a valid PromQL string: PromQL accepts Go's escapes,
    # which include every escape json.dumps writes.
    return f"{name}{operator}{json.dumps(value, ensure_ascii=False)}"


def rate(series: str) -> str:
    """Return the per-second rate of the counter selector `series`."""
    return f"rate({series}[{RATE_INTERVAL}])"


def increase(series: str) -> str:
    """Return the increase of the counter selector `series` over one rate window."""
    return f"increase({series}[{RATE_INTERVAL}])"


def aggregate(operator: str, expr: str, by: Sequence[str] = ()) -> str:
    """Return `operator by (by) (expr)`, or `operator(expr)` without labels."""
    if not by:
        return f"{operator}({expr})"
    return f"{operator} by ({', '.join(by)}) ({expr})"


def sum_rate(metric: str, *matchers: str, by: Sequence[str] = ()) -> str:
    """Return the service's rate of the counter `metric`, summed by `by`."""
    return aggregate("sum", rate(service_series(metric, *matchers)), by)


def histogram_quantile(
    quantile: float, metric: str, *matchers: str, by: Sequence[str] = ()
) -> str:
    """Return a quantile of the service's histogram `metric` (without `_bucket`).

    The bucket rates are summed by `le` and `by` first, so the quantile covers
    every pod and every other label, such as one p95 for all endpoints.
    """
    buckets = rate(service_series(f"{metric}_bucket", *matchers))
    return f"histogram_quantile({quantile}, {aggregate('sum', buckets, ('le', *by))})"


def histogram_mean(metric: str, *matchers: str, by: Sequence[str] = ()) -> str:
    """Return the mean observation of the service's histogram `metric`.

    It is the rate of `_sum` over the rate of `_count`. A series without
    observations in the window gives no value rather than NaN.
    """
    total = sum_rate(f"{metric}_sum", *matchers, by=by)
    count = sum_rate(f"{metric}_count", *matchers, by=by)
    return f"{total} / ({count} > 0)"


def ratio(numerator: str, denominator: str) -> str:
    """Return `numerator / denominator` for two aggregations with equal labels.

    A missing numerator counts as 0, so a service without errors shows 0%.
    While the denominator is 0 the result is empty instead of NaN, so an idle
    service shows "No data" rather than a ratio.
    """
    return f"({numerator} or 0 * ({denominator})) / (({denominator}) > 0)"


# Queries


def query(
    expr: str, legend: str = "__auto", *, instant: bool = False
) -> prometheus.Dataquery:
    """Return a Prometheus query; `legend` is Grafana's legend format.

    An instant query returns the last value of each series only, which is
    all that a bar gauge shows.
    """
    target = prometheus.Dataquery().expr(expr).legend_format(legend)
    record_query_location(target.build(), caller_location())
    if instant:
        return target.instant()
    return target.range()


def table_query(expr: str) -> prometheus.Dataquery:
    """Return an instant query whose series become table rows, labels as columns."""
    target = (
        prometheus.Dataquery()
        .expr(expr)
        .instant()
        .format(prometheus_model.PromQueryFormat.TABLE)
    )
    record_query_location(target.build(), caller_location())
    return target


# Field options


def thresholds(*steps: tuple[float | None, str]) -> dashboard.ThresholdsConfig:
    """Return absolute thresholds; the first step's value is None (the base)."""
    return (
        dashboard.ThresholdsConfig()
        .mode(dashboard_model.ThresholdsMode.ABSOLUTE)
        .steps(
            [
                dashboard_model.Threshold(value=value, color=color)
                for value, color in steps
            ]
        )
    )


def alert_thresholds(
    warning: float, critical: float | None = None
) -> dashboard.ThresholdsConfig:
    """Return green thresholds that turn orange at `warning` and red at `critical`.

    Pass an alert's threshold from `service.thresholds`, so the panel shows
    where the alert fires.
    """
    steps: list[tuple[float | None, str]] = [(None, "green"), (warning, "orange")]
    if critical is not None:
        steps.append((critical, "red"))
    return thresholds(*steps)


def health_status_thresholds() -> dashboard.ThresholdsConfig:
    """Return the health status colors: red below 0.5, yellow from 0.5, green at 1."""
    return thresholds((None, "red"), (DEGRADED, "yellow"), (HEALTHY, "green"))


def value_mappings(
    *mappings: tuple[float, str, str],
) -> list[dashboard_model.ValueMapping]:
    """Return value-to-text mappings such as (1, "Healthy", "green")."""
    options = {
        _format_number(value): dashboard_model.ValueMappingResult(
            text=text, color=color, index=index
        )
        for index, (value, text, color) in enumerate(mappings)
    }
    return [dashboard_model.ValueMap(options=options)]


def health_status_mappings() -> list[dashboard_model.ValueMapping]:
    """Return the texts of health_check_status: Healthy, Degraded and Unhealthy."""
    return value_mappings(
        (HEALTHY, "Healthy", "green"),
        (DEGRADED, "Degraded", "yellow"),
        (UNHEALTHY, "Unhealthy", "red"),
    )


def _format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def last_value() -> common_builder.ReduceDataOptions:
    """Return reduce options that show the last value that is not null."""
    return common_builder.ReduceDataOptions().calcs(["lastNotNull"])


def legend_table(*calcs: str) -> common_builder.VizLegendOptions:
    """Return a legend table below the graph with the `calcs` columns."""
    return (
        common_builder.VizLegendOptions()
        .show_legend(True)
        .display_mode(common_model.LegendDisplayMode.TABLE)
        .placement(common_model.LegendPlacement.BOTTOM)
        .calcs(list(calcs))
    )


def threshold_lines() -> common_builder.GraphThresholdsStyleConfig:
    """Return a time series style that draws the thresholds as dashed lines."""
    return common_builder.GraphThresholdsStyleConfig().mode(
        common_model.GraphThresholdsStyleMode.DASHED
    )


def thresholds_color() -> dashboard.FieldColor:
    """Return a color scheme that takes each value's color from the thresholds."""
    return dashboard.FieldColor().mode(dashboard_model.FieldColorModeId.THRESHOLDS)


# Panels


def timeseries_panel(
    title: str, unit: str, *targets: prometheus.Dataquery
) -> timeseries.Panel:
    """Start a time series panel with a legend table of mean, max and last values."""
    panel = (
        timeseries.Panel()
        .title(title)
        .unit(unit)
        .line_width(1)
        .fill_opacity(10)
        .show_points(common_model.VisibilityMode.NEVER)
        .legend(legend_table("mean", "max", "lastNotNull"))
        .tooltip(
            common_builder.VizTooltipOptions()
            .mode(common_model.TooltipDisplayMode.MULTI)
            .sort(common_model.SortOrder.DESCENDING)
        )
    )
    return _with_targets(panel, targets)


def alert_timeseries_panel(
    title: str,
    unit: str,
    warning: float,
    critical: float | None,
    *targets: prometheus.Dataquery,
) -> timeseries.Panel:
    """Start a time series panel with an alert's thresholds drawn as dashed lines."""
    return (
        timeseries_panel(title, unit, *targets)
        .thresholds(alert_thresholds(warning, critical))
        .thresholds_style(threshold_lines())
    )


def stat_panel(title: str, unit: str, *targets: prometheus.Dataquery) -> stat.Panel:
    """Start a stat panel that shows the last value with a sparkline."""
    panel = (
        stat.Panel()
        .title(title)
        .unit(unit)
        .reduce_options(last_value())
        .graph_mode(common_model.BigValueGraphMode.AREA)
        .color_mode(common_model.BigValueColorMode.VALUE)
    )
    return _with_targets(panel, targets)


def health_stat_panel(title: str, *targets: prometheus.Dataquery) -> stat.Panel:
    """Start a stat panel that shows a health_check_status value as its text."""
    return (
        stat_panel(title, "none", *targets)
        .graph_mode(common_model.BigValueGraphMode.NONE)
        .color_mode(common_model.BigValueColorMode.BACKGROUND)
        .thresholds(health_status_thresholds())
        .mappings(health_status_mappings())
        .color_scheme(thresholds_color())
    )


def gauge_panel(title: str, unit: str, *targets: prometheus.Dataquery) -> gauge.Panel:
    """Start a gauge panel that shows the last value against its thresholds."""
    panel = (
        gauge.Panel()
        .title(title)
        .unit(unit)
        .reduce_options(last_value())
        .show_threshold_markers(True)
        .show_threshold_labels(False)
    )
    return _with_targets(panel, targets)


def bar_gauge_panel(
    title: str, unit: str, *targets: prometheus.Dataquery
) -> bargauge.Panel:
    """Start a horizontal bar gauge panel with one bar per series."""
    panel = (
        bargauge.Panel()
        .title(title)
        .unit(unit)
        .reduce_options(last_value())
        .orientation(common_model.VizOrientation.HORIZONTAL)
        .display_mode(common_model.BarGaugeDisplayMode.GRADIENT)
    )
    return _with_targets(panel, targets)


def table_panel(title: str, unit: str, *targets: prometheus.Dataquery) -> table.Panel:
    """Start a table panel. Give it table_query() queries: one row per series."""
    panel = table.Panel().title(title).unit(unit)
    return _with_targets(panel, targets)


def state_timeline_panel(
    title: str, unit: str, *targets: prometheus.Dataquery
) -> statetimeline.Panel:
    """Start a state timeline, one row per series, colored by its thresholds."""
    panel = (
        statetimeline.Panel()
        .title(title)
        .unit(unit)
        .color_scheme(thresholds_color())
        .show_value(common_model.VisibilityMode.NEVER)
        .merge_values(True)
        .legend(
            common_builder.VizLegendOptions()
            .show_legend(True)
            .display_mode(common_model.LegendDisplayMode.LIST)
            .placement(common_model.LegendPlacement.BOTTOM)
        )
    )
    return _with_targets(panel, targets)


def health_timeline_panel(
    title: str, *targets: prometheus.Dataquery
) -> statetimeline.Panel:
    """Start a state timeline of health_check_status values as their texts."""
    return (
        state_timeline_panel(title, "none", *targets)
        .thresholds(health_status_thresholds())
        .mappings(health_status_mappings())
    )


def _with_targets(panel: _Panel, targets: Sequence[prometheus.Dataquery]) -> _Panel:
    for target in targets:
        panel = panel.with_target(target)
    return panel
