"""Health check providers: status, flapping and check errors.

The alerts follow the "Alert Rules" of the FastAPI template's production
deployment checklist (docs/production-deployment-checklist.md in the
template). Comments that name "the checklist" explain where and why a rule
here departs from it.
"""

from obsgen import (
    AlertingRule,
    ExpectedAlert,
    RecordingRule,
    Sample,
    ServiceConfig,
    fires,
    fraction,
    records,
    rule_group,
    stays_silent,
)
from obsgen.definitions.shapes import (
    DEFAULT_INSTANCE,
    counter,
    health_status,
    no_traffic,
    provider_goes_unhealthy,
    providers_healthy,
    target_labels,
    target_up,
    vanish,
)
from obsgen.promql import number

TRANSITIONS = "namespace_job_provider:health_check_status_transitions:rate5m"
CHECK_ERRORS = "namespace_job_provider:health_check_errors:rate5m"

# The database_pool provider reports 0 (unhealthy) whenever the pool is idle,
# so healthy scenarios include it to prove no alert reads it.
IDLE_POOL_PROVIDER = "database_pool"


def from_minute(start, per_minute):
    """Return a counter shape that rises by `per_minute` after minute `start`."""
    return lambda minute: per_minute if minute > start else 0


def transitions(service, provider, per_minute):
    """Return a provider's status transitions, `per_minute` in each direction."""
    labels = {**target_labels(service), "provider": provider}
    return [
        counter(
            "health_check_status_transitions_total",
            {**labels, "from_status": before, "to_status": after},
            per_minute,
        )
        for before, after in (("healthy", "unhealthy"), ("unhealthy", "healthy"))
    ]


def check_errors(service, provider, per_minute):
    """Return a provider's check errors, `per_minute` of each error type."""
    labels = {**target_labels(service), "provider": provider}
    return [
        counter(
            "health_check_errors_total",
            {**labels, "error_type": error_type},
            per_minute,
        )
        for error_type in ("timeout", "connection_error")
    ]


@rule_group("health")
def health(service: ServiceConfig):
    sel = service.selector
    limits = service.thresholds
    job = {"job": service.job, "namespace": service.namespace}
    # The provider whose flapping and check errors the scenarios show.
    shown = service.enabled_providers[0].name
    shown_labels = {**job, "provider": shown}

    def healthy(**options):
        return [
            target_up(service, **options),
            providers_healthy(service, **options),
            health_status(service, IDLE_POOL_PROVIDER, 0, **options),
        ]

    # The transition counter also carries from_status and to_status; the
    # checklist's per-series rate splits one provider's flapping across them.
    yield RecordingRule(
        record=TRANSITIONS,
        expr="sum by (namespace, job, provider) "
        f"(rate(health_check_status_transitions_total{{{sel}}}[5m]))",
        scenarios=[
            # 3 transitions a minute each way: 0.05 + 0.05 per second.
            records(
                "a provider flaps",
                series=[healthy(), transitions(service, shown, 3)],
                at="10m",
                samples=Sample(shown_labels, "0.1"),
            ),
            records(
                "a steady provider records 0",
                series=[healthy(), transitions(service, shown, 0)],
                at="10m",
                samples=Sample(shown_labels, 0),
            ),
            records(
                "no transition series records nothing",
                series=healthy(),
                at="10m",
            ),
        ],
    )
    yield RecordingRule(
        record=CHECK_ERRORS,
        expr="sum by (namespace, job, provider) "
        f"(rate(health_check_errors_total{{{sel}}}[5m]))",
        scenarios=[
            # 3 errors a minute of two types: 0.05 + 0.05 per second.
            records(
                "checks of a provider fail",
                series=[healthy(), check_errors(service, shown, 3)],
                at="10m",
                samples=Sample(shown_labels, "0.1"),
            ),
            records(
                "no error series records nothing",
                series=healthy(),
                at="10m",
            ),
        ],
    )

    for provider in service.enabled_providers:
        name = provider.name
        status = f'health_check_status{{{sel}, provider="{provider.name}"}}'
        labels_of_series = {**target_labels(service), "provider": name}
        missing_alert = ExpectedAlert(
            labels={**job, "provider": name},
            annotations={
                "summary": f"No health check status for {name}",
                "description": "The service is up but has reported no "
                f"health_check_status for {name} for 15 minutes. Check "
                f"HEALTH_{name.upper()}__ENABLED on the pods.",
            },
        )
        without_status = [
            target_up(service),
            providers_healthy(service, skip=[name]),
        ]
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
            scenarios=[
                fires(
                    f"{name} goes unhealthy",
                    series=[target_up(service), provider_goes_unhealthy(service, name)],
                    at="10m",
                    alerts=ExpectedAlert(
                        labels=labels_of_series,
                        annotations={
                            "summary": f"Service {name} is unhealthy",
                            "description": f"Health check for {name} has been "
                            "unhealthy for 2 minutes on "
                            f"{DEFAULT_INSTANCE}. Status value: 0 (1 healthy, "
                            f"0.5 degraded, 0 unhealthy). {readiness}",
                        },
                    ),
                ),
                stays_silent(
                    f"{name} healthy and the idle database_pool at 0",
                    series=healthy(),
                    at="10m",
                ),
                stays_silent(
                    f"{name} unhealthy for less than the for duration",
                    series=[target_up(service), provider_goes_unhealthy(service, name)],
                    at="6m",
                    pending=1,
                ),
                stays_silent(
                    f"{name} recovers",
                    series=[
                        target_up(service),
                        provider_goes_unhealthy(service, name, until=10),
                    ],
                    at="15m",
                ),
                stays_silent(
                    f"{name} degraded",
                    series=[
                        target_up(service),
                        provider_goes_unhealthy(service, name, status="0.5"),
                    ],
                    at="10m",
                ),
                stays_silent(
                    f"{name} status vanishes",
                    series=vanish(
                        [target_up(service), provider_goes_unhealthy(service, name)],
                        at=5,
                    ),
                    at="15m",
                ),
            ],
        )
        degrading = provider_goes_unhealthy(service, name, status="0.5")
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
            scenarios=[
                fires(
                    f"{name} degrades",
                    series=[target_up(service), degrading],
                    at="20m",
                    alerts=ExpectedAlert(
                        labels=labels_of_series,
                        annotations={
                            "summary": f"Service {name} is degraded",
                            "description": f"Health check for {name} has been "
                            f"degraded for 10 minutes on {DEFAULT_INSTANCE}. This "
                            "indicates high latency or partial failures.",
                        },
                    ),
                ),
                stays_silent(f"{name} healthy", series=healthy(), at="20m"),
                stays_silent(
                    f"{name} degraded for less than the for duration",
                    series=[target_up(service), degrading],
                    at="10m",
                    pending=1,
                ),
                stays_silent(
                    f"{name} unhealthy, not degraded",
                    series=[target_up(service), provider_goes_unhealthy(service, name)],
                    at="20m",
                ),
                stays_silent(
                    f"{name} status vanishes",
                    series=vanish([target_up(service), degrading], at=10),
                    at="20m",
                ),
            ],
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
            scenarios=[
                fires(
                    f"{name} reports no status",
                    series=without_status,
                    at="20m",
                    alerts=missing_alert,
                ),
                fires(
                    f"{name} status vanishes while the target is up",
                    series=[
                        without_status,
                        vanish(health_status(service, name, 1), at=5),
                    ],
                    at="25m",
                    alerts=missing_alert,
                ),
                stays_silent(
                    "every provider reports, without traffic",
                    series=[healthy(), no_traffic(service)],
                    at="20m",
                ),
                stays_silent(
                    f"{name} missing for less than the for duration",
                    series=without_status,
                    at="10m",
                    pending=1,
                ),
                # A target that is down or gone is NoHealthyInstances' case.
                stays_silent(
                    "the target is down",
                    series=target_up(service, up=0),
                    at="20m",
                ),
                stays_silent(
                    "the target vanishes",
                    series=vanish(healthy(), at=5),
                    at="25m",
                ),
            ],
        )

    flapping = limits.health_flapping_transitions_per_second
    per_minute_at_limit = fraction(flapping) * 60
    flapping_twice = transitions(service, shown, from_minute(5, per_minute_at_limit))
    yield AlertingRule(
        alert="HealthCheckFlapping",
        expr=f"{TRANSITIONS}{{{sel}}} > {number(flapping)}",
        for_="5m",
        labels=service.alert_labels("warning"),
        annotations={
            "summary": "Health check {{ $labels.provider }} is flapping",
            # humanize prints 0.2 as "200m"; printf keeps a plain number.
            "description": "Service {{ $labels.provider }} status changes "
            '{{ $value | printf "%.3g" }} times per second '
            f"(threshold: {number(flapping)}/s). This indicates instability.",
            "runbook_url": service.runbook_url("health-flapping"),
        },
        threshold=f"status transitions > {number(flapping)}/s",
        scenarios=[
            fires(
                f"{shown} flaps at twice the threshold",
                series=[healthy(), flapping_twice],
                at="15m",
                alerts=ExpectedAlert(
                    labels=shown_labels,
                    annotations={
                        "summary": f"Health check {shown} is flapping",
                        "description": f"Service {shown} status changes "
                        f"{number(2 * flapping)} times per second (threshold: "
                        f"{number(flapping)}/s). This indicates instability.",
                    },
                ),
            ),
            # Half the threshold's transitions each way sum to the threshold.
            stays_silent(
                f"{shown} flaps at exactly the threshold",
                series=[
                    healthy(),
                    transitions(service, shown, per_minute_at_limit / 2),
                ],
                at="15m",
            ),
            stays_silent(
                f"{shown} flaps for less than the for duration",
                series=[healthy(), flapping_twice],
                at="9m",
                pending=1,
            ),
            stays_silent(
                "no transitions",
                series=[healthy(), transitions(service, shown, 0)],
                at="15m",
            ),
            stays_silent("no transition series", series=healthy(), at="15m"),
            stays_silent(
                "transition series vanish",
                series=vanish([healthy(), flapping_twice], at=10),
                at="20m",
            ),
        ],
    )

    errors = limits.health_check_errors_per_second
    # Five times the threshold, split over two error types.
    failing_checks = check_errors(
        service, shown, from_minute(5, fraction(errors) * 60 * 5 / 2)
    )
    yield AlertingRule(
        alert="HealthCheckErrors",
        expr=f"{CHECK_ERRORS}{{{sel}}} > {number(errors)}",
        for_="5m",
        labels=service.alert_labels("warning"),
        annotations={
            "summary": "Health check errors for {{ $labels.provider }}",
            # humanize prints 0.05 as "50m"; printf keeps a plain number.
            "description": "Health check for {{ $labels.provider }} is raising "
            'errors: {{ $value | printf "%.3g" }}/s '
            f"(threshold: {number(errors)}/s).",
            # The checklist gives this alert no runbook.
            "runbook_url": service.runbook_url("health-check-errors"),
        },
        threshold=f"check errors > {number(errors)}/s",
        scenarios=[
            fires(
                f"{shown} checks fail at five times the threshold",
                series=[healthy(), failing_checks],
                at="15m",
                alerts=ExpectedAlert(
                    labels=shown_labels,
                    annotations={
                        "summary": f"Health check errors for {shown}",
                        "description": f"Health check for {shown} is raising "
                        f"errors: {number(5 * errors)}/s (threshold: "
                        f"{number(errors)}/s).",
                    },
                ),
            ),
            stays_silent(
                f"a single {shown} check error",
                series=[
                    healthy(),
                    check_errors(service, shown, lambda minute: int(minute == 5)),
                ],
                at="8m",
            ),
            stays_silent(
                f"{shown} checks fail for less than the for duration",
                series=[healthy(), failing_checks],
                at="9m",
                pending=1,
            ),
            stays_silent(
                "no check errors",
                series=[healthy(), check_errors(service, shown, 0)],
                at="15m",
            ),
            stays_silent("no check error series", series=healthy(), at="15m"),
            stays_silent(
                "check error series vanish",
                series=vanish([healthy(), failing_checks], at=10),
                at="20m",
            ),
        ],
    )
