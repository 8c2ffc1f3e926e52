"""The service's pods in Kubernetes: readiness, restarts, CPU and memory.

The panels read cAdvisor (container_*) and kube-state-metrics (kube_*) series,
selected by namespace, pod and the service's container name.
"""

from grafana_foundation_sdk.builders import dashboard

from obsgen import ServiceConfig, grafana_dashboard
from obsgen.panels import (
    PanelBuilder,
    add_row,
    aggregate,
    increase,
    label_matcher,
    new_dashboard,
    pod_series,
    query,
    rate,
    ratio,
    service_series,
    stat_panel,
    state_timeline_panel,
    thresholds,
    timeseries_panel,
    value_mappings,
)

DESCRIPTION = (
    "The service's pods: readiness, restarts, scrape targets, CPU and memory "
    "(cAdvisor and kube-state-metrics). The Pod variable's All stands for the "
    "service's pods only."
)

# At least one: NoHealthyInstances fires when no target is up.
AT_LEAST_ONE = thresholds((None, "red"), (1, "green"))


@grafana_dashboard("infrastructure")
def infrastructure(service: ServiceConfig) -> dashboard.Dashboard:
    container = label_matcher("container", service.container)
    board = new_dashboard(service, "Infrastructure", DESCRIPTION)
    board = add_row(board, "Pods", *pod_panels(container))
    board = add_row(board, "CPU", *cpu_panels(container))
    return add_row(board, "Memory", *memory_panels(container))


def pod_panels(container: str) -> list[PanelBuilder]:
    ready = pod_series("kube_pod_status_ready", 'condition="true"')
    restarts = increase(
        pod_series("kube_pod_container_status_restarts_total", container)
    )
    up = service_series("up")
    return [
        stat_panel("Pods ready", "short", query(aggregate("sum", ready), "ready"))
        .thresholds(AT_LEAST_ONE)
        .span(4)
        .height(8),
        stat_panel("Targets up", "short", query(aggregate("sum", up), "up"))
        .thresholds(AT_LEAST_ONE)
        .description("Scrape targets of the job that answered the last scrape.")
        .span(4)
        .height(8),
        state_timeline_panel(
            "Pod readiness",
            "none",
            query(aggregate("max", ready, by=["pod"]), "{{pod}}"),
        )
        .thresholds(thresholds((None, "red"), (1, "green")))
        .mappings(value_mappings((1, "Ready", "green"), (0, "Not ready", "red")))
        .span(8)
        .height(8),
        timeseries_panel(
            "Container restarts",
            "short",
            query(aggregate("sum", restarts, by=["pod"]), "{{pod}}"),
        )
        .description("Restarts in each rate window.")
        .span(8)
        .height(8),
        timeseries_panel(
            "Targets up by instance",
            "none",
            query(aggregate("sum", up, by=["instance"]), "{{instance}}"),
        )
        .description(
            "1 when the last scrape of the target succeeded, 0 when it failed."
        )
        .span(24)
        .height(6),
    ]


def cpu_panels(container: str) -> list[PanelBuilder]:
    usage = rate(pod_series("container_cpu_usage_seconds_total", container))
    throttled = aggregate(
        "sum",
        rate(pod_series("container_cpu_cfs_throttled_periods_total", container)),
        by=["pod"],
    )
    periods = aggregate(
        "sum",
        rate(pod_series("container_cpu_cfs_periods_total", container)),
        by=["pod"],
    )
    return [
        timeseries_panel(
            "CPU usage by pod",
            "short",
            query(aggregate("sum", usage, by=["pod"]), "{{pod}}"),
        )
        .description("CPU cores in use.")
        .span(12),
        timeseries_panel(
            "Total CPU usage", "short", query(aggregate("sum", usage), "total")
        )
        .description("CPU cores in use by all pods.")
        .span(6),
        timeseries_panel(
            "CPU throttling by pod",
            "percentunit",
            query(ratio(throttled, periods), "{{pod}}"),
        )
        .description("Share of CPU periods in which the container hit its CPU limit.")
        .span(6),
    ]


def memory_panels(container: str) -> list[PanelBuilder]:
    working_set = pod_series("container_memory_working_set_bytes", container)
    # A container without a memory limit reports 0.
    limit = f"{pod_series('container_spec_memory_limit_bytes', container)} > 0"
    by_pod = aggregate("sum", working_set, by=["pod"])
    limit_by_pod = aggregate("sum", limit, by=["pod"])
    return [
        timeseries_panel(
            "Memory working set by pod",
            "bytes",
            query(by_pod, "{{pod}}"),
            query(limit_by_pod, "{{pod}} limit"),
        )
        .description("Working set of each pod and, as `<pod> limit`, its memory limit.")
        .span(12),
        timeseries_panel(
            "Total memory working set",
            "bytes",
            query(aggregate("sum", working_set), "total"),
        ).span(6),
        timeseries_panel(
            "Memory use of limit by pod",
            "percentunit",
            query(f"{by_pod} / {limit_by_pod}", "{{pod}}"),
        )
        .description(
            "Working set over the memory limit. Near 100% the kernel reclaims "
            "page cache, then OOM-kills the container."
        )
        .span(6),
    ]
