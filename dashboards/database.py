"""The service's SQLAlchemy connection pool, database health and query latency."""

from grafana_foundation_sdk.builders import dashboard

from obsgen import ServiceConfig, grafana_dashboard
from obsgen.panels import (
    PanelBuilder,
    add_row,
    aggregate,
    alert_thresholds,
    alert_timeseries_panel,
    gauge_panel,
    health_stat_panel,
    histogram_mean,
    histogram_quantile,
    increase,
    label_matcher,
    new_dashboard,
    query,
    service_series,
    sum_rate,
    timeseries_panel,
)

CHECKED_OUT = service_series("database_pool_checkedout")
POOL_SIZE = service_series("database_pool_size")
MAX_OVERFLOW = service_series("database_pool_max_overflow")

# Connections in use over the maximum a pod can open, pool_size +
# max_overflow, per pod. The template exports these gauges, not the utilization itself.
UTILIZATION = f"{CHECKED_OUT} / ({POOL_SIZE} + {MAX_OVERFLOW} > 0)"

DATABASE = label_matcher("provider", "database")

DESCRIPTION = (
    "The service's database connection pool (database_pool_* gauges), its "
    "checkout waits and timeouts, the database health check and query latency. "
    "Dashed lines are the alert thresholds."
)


@grafana_dashboard("database")
def database(service: ServiceConfig) -> dashboard.Dashboard:
    board = new_dashboard(service, "Database", DESCRIPTION)
    board = add_row(board, "Connection pool", *pool_panels(service))
    board = add_row(board, "Checkouts", *checkout_panels())
    return add_row(board, "Health and queries", *health_panels(service))


def pool_panels(service: ServiceConfig) -> list[PanelBuilder]:
    limits = service.thresholds
    warning = limits.pool_utilization_warning
    critical = limits.pool_utilization_critical
    return [
        gauge_panel(
            "Pool utilization",
            "percentunit",
            query(aggregate("max", UTILIZATION), "utilization"),
        )
        .min(0)
        .max(1)
        .thresholds(alert_thresholds(warning, critical))
        .description(
            "Busiest pod: checked-out connections / (pool size + max overflow)."
        )
        .span(6),
        alert_timeseries_panel(
            "Pool utilization by instance",
            "percentunit",
            warning,
            critical,
            query(UTILIZATION, "{{instance}}"),
        )
        .description(
            "DatabasePoolHighUtilization fires above the orange line for 5 "
            "minutes, DatabasePoolNearExhaustion above the red line for 2 minutes."
        )
        .span(9),
        timeseries_panel(
            "Connections",
            "short",
            query(aggregate("sum", CHECKED_OUT), "checked out"),
            query(
                aggregate("sum", service_series("database_pool_overflow")),
                "overflow in use",
            ),
            query(aggregate("sum", POOL_SIZE), "pool size"),
            query(aggregate("sum", f"{POOL_SIZE} + {MAX_OVERFLOW}"), "capacity"),
        )
        .description("Sums over all pods. Capacity is pool size + max overflow.")
        .span(9),
    ]


def checkout_panels() -> list[PanelBuilder]:
    wait = "database_pool_checkout_time_seconds"
    timeouts = aggregate(
        "sum", increase(service_series("database_pool_checkout_timeout_total"))
    )
    return [
        timeseries_panel(
            "Checkout wait",
            "s",
            query(histogram_quantile(0.95, wait), "p95"),
            query(histogram_mean(wait), "mean"),
        )
        .description("Time spent waiting for a connection from the pool.")
        .span(8),
        timeseries_panel("Checkout timeouts", "short", query(timeouts, "timeouts"))
        .description(
            "Checkouts that waited longer than the pool timeout. "
            "DatabasePoolCheckoutTimeouts fires on any."
        )
        .span(8),
        timeseries_panel(
            "Invalidated and recycled connections",
            "ops",
            query(
                sum_rate("database_pool_invalidations_total", by=["reason"]),
                "invalidated: {{reason}}",
            ),
            query(sum_rate("database_pool_recycles_total"), "recycled"),
        ).span(8),
    ]


def health_panels(service: ServiceConfig) -> list[PanelBuilder]:
    check = "health_check_duration_seconds"
    queries = timeseries_panel(
        "Query duration p95 by operation",
        "s",
        query(
            histogram_quantile(
                0.95, "database_query_duration_seconds", by=["operation"]
            ),
            "{{operation}}",
        ),
    )
    if service.provider("database") is None:
        return [queries.span(24)]

    status = aggregate("min", service_series("health_check_status", DATABASE))
    return [
        health_stat_panel("Database health", query(status, "database")).span(6),
        timeseries_panel(
            "Database health check latency",
            "s",
            query(histogram_mean(check, DATABASE), "mean"),
            query(histogram_quantile(0.95, check, DATABASE), "p95"),
        ).span(9),
        queries.span(9),
    ]
