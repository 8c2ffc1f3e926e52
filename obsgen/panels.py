"""Helpers that keep dashboard definitions short. They return SDK builders."""

from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard, prometheus
from grafana_foundation_sdk.models import dashboard as dashboard_model

from obsgen.config.service import ServiceConfig

# Dashboard queries select the service through variables, so one dashboard
# serves every namespace the job runs in.
SERVICE_SELECTOR = 'job="$job", namespace="$namespace"'
POD_SELECTOR = 'namespace="$namespace", pod=~"$pod"'


def new_dashboard(
    service: ServiceConfig, title: str, description: str
) -> dashboard.Dashboard:
    """Start a dashboard with the settings every obsgen dashboard shares."""
    return (
        dashboard.Dashboard(f"{service.name} / {title}")
        .description(description)
        .tags(["obsgen", service.name, service.team])
        .time("now-6h", "now")
        .refresh("1m")
        .timezone("browser")
        .tooltip(dashboard_model.DashboardCursorSync.CROSSHAIR)
        .readonly()
    )


def query(
    expr: str, legend: str = "__auto", *, instant: bool = False
) -> prometheus.Dataquery:
    """Return a Prometheus query; `legend` is Grafana's legend format."""
    target = prometheus.Dataquery().expr(expr).legend_format(legend)
    if instant:
        target = target.instant().format(prometheus.PromQueryFormat.TABLE)
    else:
        target = target.range()
    return target


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


def _format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
