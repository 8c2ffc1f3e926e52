"""Health check providers: status, check latency, flapping and check errors."""

from grafana_foundation_sdk.builders import dashboard

from obsgen import ServiceConfig, grafana_dashboard
from obsgen.panels import (
    PanelBuilder,
    add_row,
    aggregate,
    alert_timeseries_panel,
    health_stat_panel,
    health_timeline_panel,
    histogram_mean,
    histogram_quantile,
    label_matcher,
    new_dashboard,
    query,
    service_series,
    sum_rate,
    timeseries_panel,
)

# The database_pool provider reports unhealthy while the pool is idle, so its
# status would hide every other provider's. The database dashboard shows the
# pool through its gauges instead.
NOT_POOL = label_matcher("provider", "database_pool", "!=")

DESCRIPTION = (
    "Status, latency and stability of the service's health check providers "
    "(health_check_* metrics). Status values: 1 healthy, 0.5 degraded, "
    "0 unhealthy."
)


@grafana_dashboard("health-checks")
def health_checks(service: ServiceConfig) -> dashboard.Dashboard:
    board = new_dashboard(service, "Health checks", DESCRIPTION)
    board = add_row(board, "Status", *status_panels())
    board = add_row(board, "Check latency", *latency_panels())
    return add_row(board, "Stability", *stability_panels(service))


def status_panels() -> list[PanelBuilder]:
    # min: one unhealthy pod or provider makes the service unhealthy.
    overall = aggregate("min", service_series("health_check_status", NOT_POOL))
    by_provider = aggregate(
        "min", service_series("health_check_status", NOT_POOL), by=["provider"]
    )
    return [
        health_stat_panel("Overall status", query(overall, "overall"))
        .description(
            "Worst status of all providers and pods. database_pool is left out "
            "because it reports unhealthy while the pool is idle; see the "
            "database dashboard."
        )
        .span(6)
        .height(7),
        health_timeline_panel("Status by provider", query(by_provider, "{{provider}}"))
        .description("Worst status of each provider across pods.")
        .span(18)
        .height(7),
    ]


def latency_panels() -> list[PanelBuilder]:
    metric = "health_check_duration_seconds"
    return [
        timeseries_panel(
            "Check latency p95 by provider",
            "s",
            query(histogram_quantile(0.95, metric, by=["provider"]), "{{provider}}"),
        ).span(12),
        timeseries_panel(
            "Average check duration by provider",
            "s",
            query(histogram_mean(metric, by=["provider"]), "{{provider}}"),
        ).span(12),
    ]


def stability_panels(service: ServiceConfig) -> list[PanelBuilder]:
    limits = service.thresholds
    transitions = sum_rate("health_check_status_transitions_total", by=["provider"])
    errors = sum_rate("health_check_errors_total", by=["provider"])
    unhealthy = sum_rate(
        "health_check_total", 'status="unhealthy"', NOT_POOL, by=["provider"]
    )
    return [
        alert_timeseries_panel(
            "Status transitions by provider",
            "cps",
            limits.health_flapping_transitions_per_second,
            None,
            query(transitions, "{{provider}}"),
        )
        .description(
            "Status changes per second. HealthCheckFlapping fires when a "
            "provider stays above the dashed line for 5 minutes."
        )
        .span(8),
        alert_timeseries_panel(
            "Check errors by provider",
            "cps",
            limits.health_check_errors_per_second,
            None,
            query(errors, "{{provider}}"),
        )
        .description(
            "Exceptions raised while running a check, per second. "
            "HealthCheckErrors fires above the dashed line for 5 minutes."
        )
        .span(8),
        timeseries_panel(
            "Unhealthy checks by provider", "ops", query(unhealthy, "{{provider}}")
        )
        .description(
            "Checks per second that returned unhealthy (database_pool left out)."
        )
        .span(8),
    ]
