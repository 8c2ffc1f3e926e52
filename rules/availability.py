"""Whether the service's pods are up, ready and stable (Kubernetes)."""

from obsgen import AlertingRule, ServiceConfig, rule_group
from obsgen.promql import seconds


@rule_group("example-service.availability")
def availability(service: ServiceConfig):
    sel = service.selector
    pods = f'{service.pod_selector}, container="{service.container}"'
    limits = service.thresholds

    # sum() over no series is empty, not 0, so the checklist's rule stays silent
    # exactly when every target has vanished; absent() covers that case.
    yield AlertingRule(
        alert="NoHealthyInstances",
        expr=f"sum by (namespace, job) (up{{{sel}}}) == 0\nor absent(up{{{sel}}})",
        for_="1m",
        labels=service.alert_labels("critical"),
        annotations={
            "summary": "No healthy service instances",
            "description": f"All instances of {service.name} are down or no longer "
            "scraped. Service is completely unavailable.",
            "runbook_url": service.runbook_url("service-down"),
        },
        threshold="no target up, or no target at all",
    )

    restarts = limits.pod_restarts_per_5m
    yield AlertingRule(
        alert="PodCrashLooping",
        expr=f"increase(kube_pod_container_status_restarts_total{{{pods}}}[5m]) > {restarts}",
        labels=service.alert_labels("critical"),
        annotations={
            "summary": "Pod {{ $labels.pod }} is restarting repeatedly",
            "description": "Container {{ $labels.container }} of pod "
            "{{ $labels.pod }} restarted {{ $value | humanize }} times in 5 minutes "
            f"(threshold: {restarts}). This is a rollback trigger.",
            "runbook_url": service.runbook_url("pod-crash-loop"),
        },
        threshold=f"more than {restarts} restarts in 5m",
    )
    yield AlertingRule(
        alert="PodNotReady",
        expr=f'kube_pod_status_ready{{{service.pod_selector}, condition="false"}} == 1',
        for_="2m",
        labels=service.alert_labels("critical"),
        annotations={
            "summary": "Pod {{ $labels.pod }} has failed its readiness probe",
            "description": "Pod {{ $labels.pod }} has not been ready for 2 minutes. "
            "This is a rollback trigger.",
            "runbook_url": service.runbook_url("service-unhealthy"),
        },
        threshold="readiness failing for 2m",
    )

    horizon = limits.memory_growth_horizon
    yield AlertingRule(
        alert="MemoryGrowth",
        expr=f"predict_linear(container_memory_working_set_bytes{{{pods}}}[1h], "
        f"{seconds(horizon)})\n"
        "> on (namespace, pod, container) "
        f"(container_spec_memory_limit_bytes{{{pods}}} > 0)",
        for_="30m",
        labels=service.alert_labels("warning"),
        annotations={
            "summary": "Memory of {{ $labels.pod }} grows toward its limit",
            "description": "At the last hour's trend, container {{ $labels.container }}"
            " of pod {{ $labels.pod }} reaches its memory limit within "
            f"{horizon}: predicted {{{{ $value | humanize1024 }}}}B. A linear rise "
            "suggests a leak; this is a rollback trigger.",
            "runbook_url": service.runbook_url("memory-leak"),
        },
        threshold=f"working set predicted over the limit within {horizon}",
    )
