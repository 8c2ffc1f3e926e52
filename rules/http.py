"""HTTP traffic of the service: request and error rates, latency percentiles."""

from obsgen import AlertingRule, RecordingRule, ServiceConfig, rule_group
from obsgen.promql import number, percent

REQUESTS = "namespace_job:http_requests:rate5m"
ERRORS = "namespace_job:http_requests_errors:rate5m"
ERROR_RATIO = "namespace_job:http_requests_errors:ratio_rate5m"
BUCKETS = "namespace_job_le:http_request_duration_seconds_bucket:rate5m"
QUANTILE = "namespace_job_quantile:http_request_duration_seconds:histogram_quantile"


@rule_group("example-service.http")
def http(service: ServiceConfig):
    sel = service.selector
    limits = service.thresholds

    yield RecordingRule(
        record=REQUESTS,
        expr=f"sum by (namespace, job) (rate(http_requests_total{{{sel}}}[5m]))",
    )
    yield RecordingRule(
        record=ERRORS,
        expr=f'sum by (namespace, job) (rate(http_requests_total{{{sel}, status=~"5.."}}[5m]))',
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
    )
    yield RecordingRule(
        record=BUCKETS,
        expr="sum by (namespace, job, le) "
        f"(rate(http_request_duration_seconds_bucket{{{sel}}}[5m]))",
    )
    for quantile in ("0.5", "0.95", "0.99"):
        # The checklist's histogram_quantile over raw rates gives one percentile
        # per endpoint and pod; percentiles must aggregate `sum by (le)` first.
        # The `and` drops the NaN that an idle histogram would give.
        yield RecordingRule(
            record=QUANTILE,
            expr=f"histogram_quantile({quantile}, {BUCKETS}{{{sel}}})\n"
            f'and on (namespace, job) ({BUCKETS}{{{sel}, le="+Inf"}} > 0)',
            labels={"quantile": quantile},
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
    )

    warning = limits.latency_p95_warning_seconds
    critical = limits.latency_p95_critical_seconds
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
    )

    ratio = limits.latency_regression_ratio
    offset = limits.latency_baseline_offset
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
    )
