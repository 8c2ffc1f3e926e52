"""The SQLAlchemy connection pool of the service."""

from obsgen import AlertingRule, RecordingRule, ServiceConfig, rule_group
from obsgen.promql import number, percent

UTILIZATION = "instance:database_pool_utilization:ratio"


@rule_group("example-service.database")
def database(service: ServiceConfig):
    if service.provider("database") is None:
        return
    sel = service.selector
    limits = service.thresholds

    # The checklist alerts on health_check_status{provider="database_pool"},
    # which reports unhealthy while the pool is idle; the pool gauges are exact.
    # Capacity is pool_size + max_overflow, the most connections a pod can hold.
    yield RecordingRule(
        record=UTILIZATION,
        expr=f"database_pool_checkedout{{{sel}}}\n"
        f"/ (database_pool_size{{{sel}}} + database_pool_max_overflow{{{sel}}} > 0)",
    )

    warning = limits.pool_utilization_warning
    critical = limits.pool_utilization_critical
    yield AlertingRule(
        alert="DatabasePoolHighUtilization",
        expr=f"{UTILIZATION}{{{sel}}} > {number(warning)}",
        for_="5m",
        labels=service.alert_labels("warning"),
        annotations={
            "summary": "Database connection pool utilization is high",
            "description": "Database pool utilization on {{ $labels.instance }} is "
            f"{{{{ $value | humanizePercentage }}}} (threshold: {percent(warning)}) "
            "for 5 minutes. Consider increasing pool size or investigating "
            "connection leaks.",
            "runbook_url": service.runbook_url("pool-exhaustion"),
        },
        threshold=f"pool utilization > {percent(warning)}",
    )
    yield AlertingRule(
        alert="DatabasePoolNearExhaustion",
        expr=f"{UTILIZATION}{{{sel}}} > {number(critical)}",
        for_="2m",
        labels=service.alert_labels("critical"),
        annotations={
            "summary": "Database connection pool near exhaustion",
            "description": "Database pool utilization on {{ $labels.instance }} is "
            f"{{{{ $value | humanizePercentage }}}} (threshold: {percent(critical)}) "
            "for 2 minutes. Service may fail to acquire connections. "
            "This is a rollback trigger.",
            "runbook_url": service.runbook_url("pool-exhaustion"),
        },
        threshold=f"pool utilization > {percent(critical)}",
        inhibits=("DatabasePoolHighUtilization",),
    )
    yield AlertingRule(
        alert="DatabasePoolCheckoutTimeouts",
        expr=f"increase(database_pool_checkout_timeout_total{{{sel}}}[5m]) > 0",
        labels=service.alert_labels("critical"),
        annotations={
            "summary": "Requests time out waiting for a database connection",
            "description": "{{ $value | humanize }} connection checkouts on "
            "{{ $labels.instance }} exceeded DB_POOL_TIMEOUT in the last 5 minutes.",
            "runbook_url": service.runbook_url("pool-exhaustion"),
        },
        threshold="any checkout timeout in 5m",
    )
