"""HTTP traffic of the service: request and error rates, latency percentiles.

The alerts follow the "Alert Rules" of the FastAPI template's production
deployment checklist (docs/production-deployment-checklist.md in the
template). Comments that name "the checklist" explain where and why a rule
here departs from it.
"""

from fractions import Fraction

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
    LATENCY_BUCKETS,
    error_burst,
    healthy_traffic,
    join,
    latency_shift,
    no_traffic,
    starting_at,
    steady_latency,
    target_up,
    vanish,
)
from obsgen.duration import parse_duration
from obsgen.promql import number, percent

REQUESTS = "namespace_job:http_requests:rate5m"
ERRORS = "namespace_job:http_requests_errors:rate5m"
ERROR_RATIO = "namespace_job:http_requests_errors:ratio_rate5m"
BUCKETS = "namespace_job_le:http_request_duration_seconds_bucket:rate5m"
QUANTILE = "namespace_job_quantile:http_request_duration_seconds:histogram_quantile"


# Scenario traffic: 5 requests per second, 300 a minute, so that error ratios
# of 1%, 2%, 5% and 10% are whole requests per minute and rates stay exact.
# NOTE: the "exactly the ... ratio" scenarios need thresholds that are whole
# requests per minute at this rate; with others, obsgen test may fail them.
PER_SECOND = 5


@rule_group("http")
def http(service: ServiceConfig):
    sel = service.selector
    limits = service.thresholds
    job = {"job": service.job, "namespace": service.namespace}
    critical_ratio = fraction(limits.error_ratio_critical)
    warning_ratio = fraction(limits.error_ratio_warning)

    def burst(ratio, **options):
        return [
            target_up(service),
            error_burst(service, ratio=ratio, per_second=PER_SECOND, **options),
        ]

    healthy = [target_up(service), healthy_traffic(service, per_second=PER_SECOND)]
    idle = [target_up(service), no_traffic(service)]
    failing_then_gone = vanish(burst(2 * critical_ratio), at=15)

    yield RecordingRule(
        record=REQUESTS,
        expr=f"sum by (namespace, job) (rate(http_requests_total{{{sel}}}[5m]))",
        scenarios=[
            records(
                "steady traffic",
                series=healthy,
                at="20m",
                samples=Sample(job, PER_SECOND),
            ),
            records(
                "no traffic records 0", series=idle, at="20m", samples=Sample(job, 0)
            ),
            records(
                "vanished series record nothing", series=failing_then_gone, at="25m"
            ),
        ],
    )
    yield RecordingRule(
        record=ERRORS,
        expr="sum by (namespace, job) "
        f'(rate(http_requests_total{{{sel}, status=~"5.."}}[5m]))',
        scenarios=[
            records(
                "10% of requests fail",
                series=burst(Fraction(1, 10)),
                at="20m",
                samples=Sample(job, Fraction(PER_SECOND, 10)),
            ),
            records("no 5xx series records nothing", series=healthy, at="20m"),
        ],
    )
    # The checklist divides without a guard: with no traffic that is 0/0 = NaN,
    # and with no 5xx series the ratio is missing instead of 0.
    # Every recorded series is read back with the service's selector, so two
    # services' bundles in one Prometheus never record the same series.
    requests = f"{REQUESTS}{{{sel}}}"
    yield RecordingRule(
        record=ERROR_RATIO,
        expr=f"({ERRORS}{{{sel}}} or {requests} * 0)\n"
        f"/ ({requests} > {number(limits.min_request_rate)})",
        scenarios=[
            records(
                "10% of requests fail",
                series=burst(Fraction(1, 10)),
                at="20m",
                samples=Sample(job, Fraction(1, 10)),
            ),
            records(
                "traffic without a 5xx series records 0",
                series=healthy,
                at="20m",
                samples=Sample(job, 0),
            ),
            records("no traffic records no sample, not NaN", series=idle, at="20m"),
            records(
                "vanished series record nothing", series=failing_then_gone, at="25m"
            ),
        ],
    )
    yield RecordingRule(
        record=BUCKETS,
        expr="sum by (namespace, job, le) "
        f"(rate(http_request_duration_seconds_bucket{{{sel}}}[5m]))",
        scenarios=[
            records(
                "every request takes 100ms",
                series=steady_latency(service, seconds="0.1"),
                at="20m",
                samples=[
                    Sample(
                        {**job, "le": le},
                        1 if index >= LATENCY_BUCKETS.index("0.1") else 0,
                    )
                    for index, le in enumerate(LATENCY_BUCKETS)
                ],
            ),
        ],
    )
    for quantile in ("0.5", "0.95", "0.99"):
        # The checklist's histogram_quantile over raw rates gives one percentile
        # per endpoint and pod; percentiles must aggregate `sum by (le)` first.
        # The `and` drops the NaN that an idle histogram would give.
        # With every request in the bucket (2.5, 5], the quantile q is
        # interpolated at 2.5 + 2.5 * q seconds.
        in_bucket = Fraction(5, 2) + Fraction(5, 2) * Fraction(quantile)
        yield RecordingRule(
            record=QUANTILE,
            expr=f"histogram_quantile({quantile}, {BUCKETS}{{{sel}}})\n"
            f'and on (namespace, job) ({BUCKETS}{{{sel}, le="+Inf"}} > 0)',
            labels={"quantile": quantile},
            scenarios=[
                records(
                    "every request takes 3s",
                    series=steady_latency(service, seconds=3),
                    at="20m",
                    samples=Sample(job, in_bucket),
                ),
                records(
                    "no traffic records no sample, not NaN",
                    series=[target_up(service), no_traffic(service)],
                    at="20m",
                ),
            ],
        )

    # The checklist multiplies by 100 and then formats with humanizePercentage,
    # which prints 500% for 5%; the ratio is kept as 0-1 here.
    yield AlertingRule(
        alert="HighErrorRate",
        expr=f"{ERROR_RATIO}{{{sel}}} > {number(limits.error_ratio_critical)}",
        for_="5m",
        labels=service.alert_labels("critical"),
        annotations={
            "summary": "High error rate detected",
            "description": "Error rate is {{ $value | humanizePercentage }} "
            f"(threshold: {percent(limits.error_ratio_critical)}). "
            "Service is experiencing failures. This is a rollback trigger.",
            "runbook_url": service.runbook_url("high-error-rate"),
        },
        threshold=f"5xx ratio > {percent(limits.error_ratio_critical)}",
        inhibits=("ElevatedErrorRate",),
        scenarios=[
            fires(
                "twice the critical ratio of requests fail",
                series=burst(2 * critical_ratio),
                at="20m",
                alerts=ExpectedAlert(
                    labels=job,
                    annotations={
                        "description": f"Error rate is {percent(2 * critical_ratio)} "
                        f"(threshold: {percent(critical_ratio)}). Service is "
                        "experiencing failures. This is a rollback trigger.",
                    },
                ),
            ),
            stays_silent(
                "exactly the critical ratio fails",
                series=burst(critical_ratio),
                at="20m",
            ),
            stays_silent(
                "twice the warning ratio fails",
                series=burst(2 * warning_ratio),
                at="20m",
            ),
            # The 5m ratio crosses the threshold at 7m30s; the alert is pending.
            stays_silent(
                "a burst shorter than the for duration",
                series=burst(2 * critical_ratio),
                at="10m",
                pending=1,
            ),
            stays_silent("healthy traffic", series=healthy, at="20m"),
            stays_silent("no traffic", series=idle, at="20m"),
            stays_silent("failing series vanish", series=failing_then_gone, at="25m"),
        ],
    )
    yield AlertingRule(
        alert="ElevatedErrorRate",
        expr=f"{ERROR_RATIO}{{{sel}}} > {number(limits.error_ratio_warning)}",
        for_="10m",
        labels=service.alert_labels("warning"),
        annotations={
            "summary": "Elevated error rate detected",
            "description": "Error rate is {{ $value | humanizePercentage }} "
            f"(threshold: {percent(limits.error_ratio_warning)}). Monitor closely.",
            # The checklist gives this alert no runbook.
            "runbook_url": service.runbook_url("high-error-rate"),
        },
        threshold=f"5xx ratio > {percent(limits.error_ratio_warning)}",
        scenarios=[
            fires(
                "twice the warning ratio of requests fail",
                series=burst(2 * warning_ratio),
                at="25m",
                alerts=ExpectedAlert(
                    labels=job,
                    annotations={
                        "description": f"Error rate is {percent(2 * warning_ratio)} "
                        f"(threshold: {percent(warning_ratio)}). Monitor closely.",
                    },
                ),
            ),
            fires(
                "twice the critical ratio of requests fail",
                series=burst(2 * critical_ratio),
                at="25m",
                alerts=ExpectedAlert(
                    labels=job,
                    annotations={
                        "description": f"Error rate is {percent(2 * critical_ratio)} "
                        f"(threshold: {percent(warning_ratio)}). Monitor closely.",
                    },
                ),
            ),
            stays_silent(
                "exactly the warning ratio fails", series=burst(warning_ratio), at="25m"
            ),
            stays_silent(
                "a burst shorter than the for duration",
                series=burst(2 * warning_ratio),
                at="15m",
                pending=1,
            ),
            stays_silent("healthy traffic", series=healthy, at="25m"),
            stays_silent("no traffic", series=idle, at="25m"),
            stays_silent("failing series vanish", series=failing_then_gone, at="25m"),
        ],
    )

    warning = limits.latency_p95_warning_seconds
    critical = limits.latency_p95_critical_seconds

    def slow_down(seconds):
        return [target_up(service), latency_shift(service, before="0.1", after=seconds)]

    # The checklist prints {{ $value }}s, which shows 17 digits; humanizeDuration
    # prints the seconds as 2.5s or 1m 3s.
    yield AlertingRule(
        alert="HighLatency",
        expr=f'{QUANTILE}{{{sel}, quantile="0.95"}} > {number(warning)}',
        for_="10m",
        labels=service.alert_labels("warning"),
        annotations={
            "summary": "High request latency detected",
            "description": "p95 latency is {{ $value | humanizeDuration }} "
            f"(threshold: {number(warning)}s). Service performance degraded.",
            "runbook_url": service.runbook_url("high-latency"),
        },
        threshold=f"p95 latency > {number(warning)}s",
        scenarios=[
            # All requests in the bucket (2.5, 5] put the p95 at 4.875s.
            fires(
                "requests slow down from 100ms to 3s",
                series=slow_down(3),
                at="25m",
                alerts=ExpectedAlert(
                    labels={**job, "quantile": "0.95"},
                    annotations={
                        "description": "p95 latency is 4.875s "
                        f"(threshold: {number(warning)}s). Service performance "
                        "degraded.",
                    },
                ),
            ),
            stays_silent(
                "requests take 1s", series=steady_latency(service, seconds=1), at="25m"
            ),
            stays_silent("no traffic", series=idle, at="25m"),
            stays_silent(
                "slow series vanish", series=vanish(slow_down(3), at=15), at="25m"
            ),
        ],
    )
    yield AlertingRule(
        alert="VeryHighLatency",
        expr=f'{QUANTILE}{{{sel}, quantile="0.95"}} > {number(critical)}',
        for_="5m",
        labels=service.alert_labels("critical"),
        annotations={
            "summary": "Very high request latency detected",
            "description": "p95 latency is {{ $value | humanizeDuration }} "
            f"(threshold: {number(critical)}s). Service severely degraded.",
            "runbook_url": service.runbook_url("high-latency"),
        },
        threshold=f"p95 latency > {number(critical)}s",
        inhibits=("HighLatency",),
        scenarios=[
            # All requests in the bucket (5, 10] put the p95 at 9.75s.
            fires(
                "requests slow down from 100ms to 7s",
                series=slow_down(7),
                at="20m",
                alerts=ExpectedAlert(
                    labels={**job, "quantile": "0.95"},
                    annotations={
                        "description": "p95 latency is 9.75s "
                        f"(threshold: {number(critical)}s). Service severely "
                        "degraded.",
                    },
                ),
            ),
            stays_silent("requests slow down to 3s", series=slow_down(3), at="20m"),
            stays_silent("no traffic", series=idle, at="20m"),
            stays_silent(
                "slow series vanish", series=vanish(slow_down(7), at=15), at="25m"
            ),
        ],
    )

    ratio = limits.latency_regression_ratio
    offset = limits.latency_baseline_offset
    # Scenarios have half an hour of samples a day ago and half an hour today.
    day = parse_duration(offset) // 60_000
    fast = steady_latency(service, seconds="0.1")
    slowing = latency_shift(service, before="0.1", after="0.25", start=5)
    regression = join(fast, slowing, at=day)
    yield AlertingRule(
        alert="LatencyRegression",
        expr=f'{QUANTILE}{{{sel}, quantile="0.95"}}\n'
        f'> {number(ratio)} * ({QUANTILE}{{{sel}, quantile="0.95"}} offset {offset})',
        for_="10m",
        labels=service.alert_labels("warning"),
        annotations={
            "summary": "Request latency regressed against its baseline",
            "description": "p95 latency is {{ $value | humanizeDuration }}, more than "
            f"{percent(ratio - 1)} slower than {offset} ago. "
            "This is a rollback trigger.",
            "runbook_url": service.runbook_url("high-latency"),
        },
        threshold=f"p95 latency > {number(ratio)} x p95 {offset} ago",
        scenarios=[
            # The p95 moves from 97.5ms in the bucket (0.05, 0.1] to 242.5ms in
            # the bucket (0.1, 0.25]: 2.5 times the baseline.
            fires(
                "requests slow down from 100ms to 250ms",
                series=regression,
                at=f"{day + 25}m",
                alerts=ExpectedAlert(
                    labels={**job, "quantile": "0.95"},
                    annotations={
                        "description": "p95 latency is 242.5ms, more than "
                        f"{percent(ratio - 1)} slower than {offset} ago. "
                        "This is a rollback trigger.",
                    },
                ),
            ),
            stays_silent(
                "latency as the day before",
                series=join(fast, fast, at=day),
                at=f"{day + 25}m",
            ),
            stays_silent(
                "no baseline for a new service",
                series=starting_at(slowing, at=day),
                at=f"{day + 25}m",
            ),
            stays_silent(
                "no traffic",
                series=join(idle, idle, at=day),
                at=f"{day + 25}m",
            ),
            stays_silent(
                "slow series vanish",
                series=vanish(regression, at=day + 15),
                at=f"{day + 25}m",
            ),
        ],
    )
