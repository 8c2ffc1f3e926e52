"""Health check providers: status, flapping and check errors."""

from obsgen import AlertingRule, RecordingRule, ServiceConfig, rule_group
from obsgen.promql import number

TRANSITIONS = "namespace_job_provider:health_check_status_transitions:rate5m"
CHECK_ERRORS = "namespace_job_provider:health_check_errors:rate5m"


@rule_group("example-service.health")
def health(service: ServiceConfig):
    sel = service.selector
    limits = service.thresholds

    # The transition counter also carries from_status and to_status; the
    # checklist's per-series rate splits one provider's flapping across them.
    yield RecordingRule(
        record=TRANSITIONS,
        expr="sum by (namespace, job, provider) "
        f"(rate(health_check_status_transitions_total{{{sel}}}[5m]))",
    )
    yield RecordingRule(
        record=CHECK_ERRORS,
        expr="sum by (namespace, job, provider) "
        f"(rate(health_check_errors_total{{{sel}}}[5m]))",
    )

    for provider in service.enabled_providers:
        status = f'health_check_status{{{sel}, provider="{provider.name}"}}'
        labels = {**service.alert_labels(provider.severity), "provider": provider.name}
        readiness = (
            "It is critical for readiness, so pods are taken out of traffic."
            if provider.critical_for_readiness
            else "It is not critical for readiness."
        )
        # One rule per enabled provider, so a readiness-critical provider pages
        # and the others warn; the checklist's single rule warned for none.
        yield AlertingRule(
            alert="ServiceUnhealthy",
            expr=f"{status} == 0",
            for_="2m",
            labels=labels,
            annotations={
                "summary": "Service {{ $labels.provider }} is unhealthy",
                "description": "Health check for {{ $labels.provider }} has been "
                "unhealthy for 2 minutes on {{ $labels.instance }}. Status value: "
                f"{{{{ $value }}}} (1 healthy, 0.5 degraded, 0 unhealthy). {readiness}",
                "runbook_url": service.runbook_url("service-unhealthy"),
            },
            threshold="status == 0 (unhealthy)",
        )
        # The checklist compares with == 0.5 exactly; any value strictly between
        # unhealthy (0) and healthy (1) is degraded.
        yield AlertingRule(
            alert="ServiceDegraded",
            expr=f"{status} > 0 < 1",
            for_="10m",
            labels={**service.alert_labels("warning"), "provider": provider.name},
            annotations={
                "summary": "Service {{ $labels.provider }} is degraded",
                "description": "Health check for {{ $labels.provider }} has been "
                "degraded for 10 minutes on {{ $labels.instance }}. This indicates "
                "high latency or partial failures.",
                "runbook_url": service.runbook_url("service-degraded"),
            },
            threshold="0 < status < 1 (degraded)",
        )
        # An enabled provider that reports nothing is as blind as a failed one;
        # the `and` leaves a target that is down to NoHealthyInstances.
        yield AlertingRule(
            alert="HealthCheckMissing",
            expr=f"absent({status})\nand on () (sum(up{{{sel}}}) > 0)",
            for_="15m",
            labels={**service.alert_labels("warning"), "provider": provider.name},
            annotations={
                "summary": "No health check status for {{ $labels.provider }}",
                "description": "The service is up but has reported no "
                "health_check_status for {{ $labels.provider }} for 15 minutes. "
                f"Check HEALTH_{provider.name.upper()}__ENABLED on the pods.",
                "runbook_url": service.runbook_url("health-check-missing"),
            },
            threshold="no health_check_status series",
        )

    flapping = limits.health_flapping_transitions_per_second
    yield AlertingRule(
        alert="HealthCheckFlapping",
        expr=f"{TRANSITIONS}{{{sel}}} > {number(flapping)}",
        for_="5m",
        labels=service.alert_labels("warning"),
        annotations={
            "summary": "Health check {{ $labels.provider }} is flapping",
            "description": "Service {{ $labels.provider }} status changes "
            "{{ $value | humanize }} times per second "
            f"(threshold: {number(flapping)}/s). This indicates instability.",
            "runbook_url": service.runbook_url("health-flapping"),
        },
        threshold=f"status transitions > {number(flapping)}/s",
    )

    errors = limits.health_check_errors_per_second
    yield AlertingRule(
        alert="HealthCheckErrors",
        expr=f"{CHECK_ERRORS}{{{sel}}} > {number(errors)}",
        for_="5m",
        labels=service.alert_labels("warning"),
        annotations={
            "summary": "Health check errors for {{ $labels.provider }}",
            "description": "Health check for {{ $labels.provider }} is raising "
            "errors: {{ $value | humanize }}/s "
            f"(threshold: {number(errors)}/s).",
            # The checklist gives this alert no runbook.
            "runbook_url": service.runbook_url("health-check-errors"),
        },
        threshold=f"check errors > {number(errors)}/s",
    )
