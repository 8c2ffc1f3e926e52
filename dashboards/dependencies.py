"""The services the service depends on: cache hit ratio and provider status.

Provider panels exist only for the providers enabled in the configuration.
"""

from grafana_foundation_sdk.builders import dashboard, stat

from obsgen import ServiceConfig, grafana_dashboard
from obsgen.config.service import HealthProvider
from obsgen.panels import (
    GRID_COLUMNS,
    PanelBuilder,
    add_row,
    aggregate,
    health_stat_panel,
    health_timeline_panel,
    histogram_quantile,
    label_matcher,
    new_dashboard,
    query,
    ratio,
    service_series,
    stat_panel,
    sum_rate,
    timeseries_panel,
)

# Health check providers that check an external dependency, with the panel
# titles that name it.
DEPENDENCY_TITLES = {
    "database": "Database",
    "cache": "Cache (Redis)",
    "rabbitmq": "RabbitMQ",
    "consul": "Consul",
    "s3": "S3 storage",
    "accent_auth": "Accent-Auth",
}

HITS = sum_rate("cache_hits_total")
MISSES = sum_rate("cache_misses_total")
# `or vector(0)`: a cache that has only missed (or only hit) so far exports no
# series for the other counter.
HIT_RATIO = ratio(HITS, f"({HITS} or vector(0)) + ({MISSES} or vector(0))")

DESCRIPTION = (
    "Dependencies of the service: cache hit ratio and the health check status "
    "of each enabled dependency provider (1 healthy, 0.5 degraded, 0 unhealthy)."
)


@grafana_dashboard("dependencies")
def dependencies(service: ServiceConfig) -> dashboard.Dashboard:
    board = new_dashboard(service, "Dependencies", DESCRIPTION)
    board = add_row(board, "Cache", *cache_panels())
    providers = dependency_providers(service)
    if providers:
        board = add_row(board, "Provider status", *provider_status_panels(providers))
        board = add_row(board, "Provider history", *provider_history_panels(providers))
    return board


def dependency_providers(service: ServiceConfig) -> list[HealthProvider]:
    return [
        provider
        for provider in service.enabled_providers
        if provider.name in DEPENDENCY_TITLES
    ]


def cache_panels() -> list[PanelBuilder]:
    return [
        stat_panel("Cache hit ratio", "percentunit", query(HIT_RATIO, "hit ratio"))
        .min(0)
        .max(1)
        .span(6),
        timeseries_panel(
            "Cache hit ratio over time", "percentunit", query(HIT_RATIO, "hit ratio")
        ).span(9),
        timeseries_panel(
            "Cache lookups", "ops", query(HITS, "hits"), query(MISSES, "misses")
        ).span(9),
    ]


def provider_status_panels(providers: list[HealthProvider]) -> list[PanelBuilder]:
    # Spread the full grid width over the panels, the first ones one column wider.
    width, wider = divmod(GRID_COLUMNS, len(providers))
    return [
        provider_status_panel(provider).span(width + (index < wider)).height(5)
        for index, provider in enumerate(providers)
    ]


def provider_status_panel(provider: HealthProvider) -> stat.Panel:
    provider_matcher = label_matcher("provider", provider.name)
    status = aggregate("min", service_series("health_check_status", provider_matcher))
    readiness = (
        "Critical for readiness: pods leave the load balancer while it is unhealthy."
        if provider.critical_for_readiness
        else "Not critical for readiness."
    )
    return health_stat_panel(
        DEPENDENCY_TITLES[provider.name], query(status, provider.name)
    ).description(f"Worst {provider.name} status across pods. {readiness}")


def provider_history_panels(providers: list[HealthProvider]) -> list[PanelBuilder]:
    names = "|".join(provider.name for provider in providers)
    selected = label_matcher("provider", names, "=~")
    status = aggregate(
        "min", service_series("health_check_status", selected), by=["provider"]
    )
    latency = histogram_quantile(
        0.95, "health_check_duration_seconds", selected, by=["provider"]
    )
    return [
        health_timeline_panel("Status by provider", query(status, "{{provider}}")).span(
            12
        ),
        timeseries_panel(
            "Check latency p95 by provider", "s", query(latency, "{{provider}}")
        ).span(12),
    ]
