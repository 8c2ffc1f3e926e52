"""Whether the service's pods are up, ready and stable (Kubernetes).

The alerts follow the "Alert Rules" of the FastAPI template's production
deployment checklist (docs/production-deployment-checklist.md in the
template). Comments that name "the checklist" explain where and why a rule
here departs from it.
"""

from functools import partial

from obsgen import (
    AlertingRule,
    ExpectedAlert,
    ServiceConfig,
    fires,
    rule_group,
    stays_silent,
)
from obsgen.definitions.shapes import (
    counter,
    gauge,
    no_traffic,
    pod_labels,
    target_up,
    vanish,
)
from obsgen.duration import parse_duration
from obsgen.promql import seconds

MIB = 1024 * 1024
SECOND_INSTANCE = "app-1:8000"


@rule_group("availability")
def availability(service: ServiceConfig):
    sel = service.selector
    pods = f'{service.pod_selector}, container="{service.container}"'
    limits = service.thresholds
    job = {"job": service.job, "namespace": service.namespace}
    pod = pod_labels(service)
    # kube-state-metrics writes pod series; cAdvisor in the kubelet writes
    # container series.
    state = {**pod, "job": "kube-state-metrics"}
    cadvisor = {**pod, "job": "kubelet"}

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
        scenarios=[
            fires(
                "every target is down",
                series=[
                    target_up(service, up=0),
                    target_up(service, up=0, instance=SECOND_INSTANCE),
                ],
                at="10m",
                alerts=ExpectedAlert(labels=job),
            ),
            fires(
                "every target vanishes",
                series=vanish(
                    [target_up(service), target_up(service, instance=SECOND_INSTANCE)],
                    at=5,
                ),
                at="10m",
                alerts=ExpectedAlert(labels=job),
            ),
            stays_silent(
                "one of two targets is up",
                series=[
                    target_up(service, up=0),
                    target_up(service, instance=SECOND_INSTANCE),
                ],
                at="10m",
            ),
            stays_silent(
                "targets up without traffic",
                series=[target_up(service), no_traffic(service)],
                at="10m",
            ),
            stays_silent(
                "targets down for less than the for duration",
                series=target_up(service, up=lambda minute: 0 if minute >= 9 else 1),
                at="9m30s",
                pending=1,
            ),
        ],
    )

    restarts = limits.pod_restarts_per_5m
    restarts_per_minute = restarts // 5 + 1

    def restart_counter(per_minute):
        return counter("kube_pod_container_status_restarts_total", state, per_minute)

    crash_loop = restart_counter(restarts_per_minute)
    yield AlertingRule(
        alert="PodCrashLooping",
        expr="increase(kube_pod_container_status_restarts_total"
        f"{{{pods}}}[5m]) > {restarts}",
        labels=service.alert_labels("critical"),
        annotations={
            "summary": "Pod {{ $labels.pod }} is restarting repeatedly",
            "description": "Container {{ $labels.container }} of pod "
            "{{ $labels.pod }} restarted {{ $value | humanize }} times in 5 minutes "
            f"(threshold: {restarts}). This is a rollback trigger.",
            "runbook_url": service.runbook_url("pod-crash-loop"),
        },
        threshold=f"more than {restarts} restarts in 5m",
        scenarios=[
            # A steady rate of restarts gives an exact increase over 5m: five
            # times the restarts per minute.
            fires(
                "the container restarts steadily",
                series=crash_loop,
                at="10m",
                alerts=ExpectedAlert(
                    labels=state,
                    annotations={
                        "summary": f"Pod {pod['pod']} is restarting repeatedly",
                        "description": f"Container {pod['container']} of pod "
                        f"{pod['pod']} restarted {5 * restarts_per_minute} times in "
                        f"5 minutes (threshold: {restarts}). This is a rollback "
                        "trigger.",
                    },
                ),
            ),
            stays_silent(
                "a single restart",
                series=restart_counter(lambda minute: 1 if minute == 5 else 0),
                at="8m",
            ),
            stays_silent(
                "another container of the pod restarts",
                series=counter(
                    "kube_pod_container_status_restarts_total",
                    {**state, "container": "istio-proxy"},
                    restarts_per_minute,
                ),
                at="10m",
            ),
            stays_silent("no restarts", series=restart_counter(0), at="10m"),
            stays_silent(
                "the pod's series vanish", series=vanish(crash_loop, at=5), at="15m"
            ),
        ],
    )
    not_ready = {key: value for key, value in state.items() if key != "container"}

    def readiness(ready):
        """Return kube-state-metrics' two readiness series of the pod."""
        return [
            gauge(
                "kube_pod_status_ready",
                {**not_ready, "condition": condition},
                partial(_ready_value, ready, condition == "true"),
            )
            for condition in ("true", "false")
        ]

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
        scenarios=[
            fires(
                "the readiness probe fails for five minutes",
                series=readiness(lambda minute: minute < 5),
                at="10m",
                alerts=ExpectedAlert(
                    labels={**not_ready, "condition": "false"},
                    annotations={
                        "summary": f"Pod {pod['pod']} has failed its readiness probe",
                        "description": f"Pod {pod['pod']} has not been ready for 2 "
                        "minutes. This is a rollback trigger.",
                    },
                ),
            ),
            stays_silent(
                "the pod is ready", series=readiness(lambda _: True), at="10m"
            ),
            stays_silent(
                "not ready for less than the for duration",
                series=readiness(lambda minute: minute < 9),
                at="10m",
                pending=1,
            ),
            stays_silent(
                "the pod's series vanish",
                series=vanish(readiness(lambda minute: minute < 5), at=7),
                at="15m",
            ),
        ],
    )

    horizon = limits.memory_growth_horizon
    horizon_minutes = parse_duration(horizon) // 60_000

    def memory(working_set, limit=512 * MIB):
        return [
            gauge(
                "container_memory_working_set_bytes", cadvisor, working_set, minutes=70
            ),
            gauge("container_spec_memory_limit_bytes", cadvisor, limit, minutes=70),
        ]

    def leaking(minute):
        return (256 + minute) * MIB

    # predict_linear() crosses the 512MiB limit once the working set passes
    # 512MiB minus the horizon's growth.
    leak = memory(leaking)
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
        scenarios=[
            # At 60m the working set is 316MiB and grows by 1MiB a minute.
            # Comparing `on (namespace, pod, container)` keeps only those labels.
            fires(
                "the working set grows 1MiB a minute",
                series=leak,
                at="60m",
                alerts=ExpectedAlert(
                    labels=pod,
                    annotations={
                        "summary": f"Memory of {pod['pod']} grows toward its limit",
                        "description": "At the last hour's trend, container "
                        f"{pod['container']} of pod {pod['pod']} reaches its memory "
                        f"limit within {horizon}: predicted "
                        f"{256 + 60 + horizon_minutes}MiB. A linear rise suggests a "
                        "leak; this is a rollback trigger.",
                    },
                ),
            ),
            stays_silent(
                "a flat working set below the limit",
                series=memory(lambda _: 400 * MIB),
                at="60m",
            ),
            stays_silent(
                "growth for less than the for duration",
                series=leak,
                at="40m",
                pending=1,
            ),
            stays_silent(
                "a container without a memory limit",
                series=memory(leaking, limit=0),
                at="60m",
            ),
            stays_silent(
                "the pod's series vanish", series=vanish(leak, at=60), at="70m"
            ),
        ],
    )


def _ready_value(ready, reports_true, minute):
    """Return 1 when the readiness series of one condition is set at `minute`."""
    return int(ready(minute) == reports_true)
