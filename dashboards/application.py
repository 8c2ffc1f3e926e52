"""HTTP traffic of the service: request rate, 5xx errors, latency, concurrency."""

from grafana_foundation_sdk.builders import common, dashboard, table
from grafana_foundation_sdk.models import dashboard as dashboard_model

from obsgen import ServiceConfig, grafana_dashboard
from obsgen.panels import (
    PanelBuilder,
    add_row,
    aggregate,
    alert_thresholds,
    alert_timeseries_panel,
    bar_gauge_panel,
    histogram_quantile,
    new_dashboard,
    query,
    rate,
    ratio,
    service_series,
    stat_panel,
    sum_rate,
    table_panel,
    table_query,
    timeseries_panel,
)

REQUESTS = "http_requests_total"
DURATION = "http_request_duration_seconds"
SERVER_ERROR = 'status=~"5.."'
TOP_ENDPOINTS = 10

# Without traffic the ratio has no value rather than NaN; without 5xx
# responses it is 0.
ERROR_RATIO = ratio(sum_rate(REQUESTS, SERVER_ERROR), sum_rate(REQUESTS))

DESCRIPTION = (
    "HTTP requests that the service answered (http_requests_total, "
    "http_request_duration_seconds): rate, 5xx ratio and latency. Dashed lines "
    "are the alert thresholds."
)


@grafana_dashboard("application")
def application(service: ServiceConfig) -> dashboard.Dashboard:
    board = new_dashboard(service, "Application", DESCRIPTION)
    board = add_row(board, "Overview", *overview_panels(service))
    board = add_row(board, "Traffic", *traffic_panels())
    board = add_row(board, "Errors", *error_panels(service))
    return add_row(board, "Latency", *latency_panels(service))


def overview_panels(service: ServiceConfig) -> list[PanelBuilder]:
    limits = service.thresholds
    return [
        stat_panel("Request rate", "reqps", query(sum_rate(REQUESTS), "requests"))
        .span(6)
        .height(5),
        stat_panel("5xx error ratio", "percentunit", query(ERROR_RATIO, "5xx ratio"))
        .thresholds(
            alert_thresholds(limits.error_ratio_warning, limits.error_ratio_critical)
        )
        .span(6)
        .height(5),
        stat_panel("Latency p95", "s", query(histogram_quantile(0.95, DURATION), "p95"))
        .thresholds(
            alert_thresholds(
                limits.latency_p95_warning_seconds,
                limits.latency_p95_critical_seconds,
            )
        )
        .span(6)
        .height(5),
        stat_panel(
            "Requests in progress",
            "short",
            query(
                aggregate("sum", service_series("http_requests_in_progress")),
                "in progress",
            ),
        )
        .span(6)
        .height(5),
    ]


def traffic_panels() -> list[PanelBuilder]:
    # "5xx", "4xx"...: the first digit of the status code.
    by_class = aggregate(
        "sum",
        f'label_replace({rate(service_series(REQUESTS))}, "status_class", '
        '"${1}xx", "status", "([0-9])..")',
        by=["status_class"],
    )
    busiest = f"topk({TOP_ENDPOINTS}, {sum_rate(REQUESTS, by=['method', 'endpoint'])})"
    in_progress = aggregate(
        "sum", service_series("http_requests_in_progress"), by=["instance"]
    )
    return [
        timeseries_panel(
            "Requests by status class",
            "reqps",
            query(sum_rate(REQUESTS), "total"),
            query(by_class, "{{status_class}}"),
        ).span(8),
        bar_gauge_panel(
            "Busiest endpoints",
            "reqps",
            query(busiest, "{{method}} {{endpoint}}", instant=True),
        )
        .description(f"The {TOP_ENDPOINTS} endpoints with the highest request rate.")
        .span(8),
        timeseries_panel(
            "Requests in progress by instance",
            "short",
            query(in_progress, "{{instance}}"),
        ).span(8),
    ]


def error_panels(service: ServiceConfig) -> list[PanelBuilder]:
    limits = service.thresholds
    by_endpoint = sum_rate(REQUESTS, SERVER_ERROR, by=["method", "endpoint", "status"])
    return [
        alert_timeseries_panel(
            "5xx error ratio",
            "percentunit",
            limits.error_ratio_warning,
            limits.error_ratio_critical,
            query(ERROR_RATIO, "5xx ratio"),
        )
        .description(
            "Share of requests that returned a 5xx status. ElevatedErrorRate "
            "fires above the orange line for 10 minutes, HighErrorRate above "
            "the red line for 5 minutes."
        )
        .span(12),
        timeseries_panel(
            "5xx responses by endpoint",
            "reqps",
            query(
                f"topk({TOP_ENDPOINTS}, {by_endpoint})",
                "{{status}} {{method}} {{endpoint}}",
            ),
        ).span(12),
    ]


def latency_panels(service: ServiceConfig) -> list[PanelBuilder]:
    limits = service.thresholds
    percentiles = [
        query(histogram_quantile(quantile, DURATION), legend)
        for quantile, legend in ((0.5, "p50"), (0.95, "p95"), (0.99, "p99"))
    ]
    # `> 0` drops the NaN of endpoints without requests in the window.
    slowest = (
        f"topk({TOP_ENDPOINTS}, "
        f"{histogram_quantile(0.95, DURATION, by=['method', 'endpoint'])} > 0)"
    )
    return [
        alert_timeseries_panel(
            "Request latency percentiles",
            "s",
            limits.latency_p95_warning_seconds,
            limits.latency_p95_critical_seconds,
            *percentiles,
        )
        .description(
            "Percentiles over all endpoints and pods. HighLatency and "
            "VeryHighLatency compare p95 with the orange and red lines."
        )
        .span(12),
        slowest_endpoints_table(slowest).span(12),
    ]


def slowest_endpoints_table(expr: str) -> table.Panel:
    organize = dashboard_model.DataTransformerConfig(
        id_val="organize",
        options={
            "excludeByName": {"Time": True},
            "indexByName": {"endpoint": 0, "method": 1, "Value": 2},
            "renameByName": {"Value": "p95 latency"},
        },
    )
    return (
        table_panel("Slowest endpoints (p95)", "s", table_query(expr))
        .with_transformation(organize)
        .sort_by(
            [common.TableSortByFieldState().display_name("p95 latency").desc(True)]
        )
        .description(f"The {TOP_ENDPOINTS} endpoints with the highest p95 latency.")
    )
