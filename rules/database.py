"""The SQLAlchemy connection pool of the service.

The alerts follow the "Alert Rules" of the FastAPI template's production
deployment checklist (docs/production-deployment-checklist.md in the
template). Comments that name "the checklist" explain where and why a rule
here departs from it.
"""

from fractions import Fraction
from math import floor

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
from obsgen.definitions.shapes import counter, gauge, target_labels, target_up, vanish
from obsgen.promql import number, percent

UTILIZATION = "instance:database_pool_utilization:ratio"

# Scenario pools have the template's production capacity: DB_POOL_SIZE=10 plus
# DB_MAX_OVERFLOW=10.
POOL_SIZE = 10
MAX_OVERFLOW = 10
CAPACITY = POOL_SIZE + MAX_OVERFLOW
START = 5


def pool(service, checked_out, *, size=POOL_SIZE, overflow=MAX_OVERFLOW):
    """Return one target's pool gauges with `checked_out` connections in use."""
    labels = target_labels(service)
    return [
        target_up(service),
        gauge("database_pool_checkedout", labels, checked_out),
        gauge("database_pool_size", labels, size),
        gauge("database_pool_max_overflow", labels, overflow),
    ]


def utilization_scenarios(service, threshold, for_minutes, description_end):
    """Return the scenarios of an alert on utilization > `threshold`.

    `description_end` is the description's text after the threshold.
    """
    instance = target_labels(service)
    limit = fraction(threshold) * CAPACITY
    # Two connections above the threshold, so that it is not a boundary case.
    above = min(floor(limit) + 2, CAPACITY)
    over = pool(service, lambda minute: above if minute >= START else 0)
    scenarios = [
        fires(
            f"{above} of {CAPACITY} connections checked out",
            series=over,
            at=f"{START + for_minutes + 3}m",
            alerts=ExpectedAlert(
                labels=instance,
                annotations={
                    "description": "Database pool utilization on "
                    f"{instance['instance']} is {percent(Fraction(above, CAPACITY))} "
                    f"(threshold: {percent(threshold)}) {description_end}",
                },
            ),
        ),
        stays_silent(
            "above the threshold for less than the for duration",
            series=over,
            at=f"{START + for_minutes - 1}m",
            pending=1,
        ),
        stays_silent("an idle pool", series=pool(service, 0), at="15m"),
        stays_silent(
            "pool series vanish",
            series=vanish(over, at=START + for_minutes + 3),
            at=f"{START + for_minutes + 10}m",
        ),
    ]
    if limit.denominator == 1:
        # The rule compares with >, so utilization at the threshold is fine.
        scenarios.append(
            stays_silent(
                f"exactly {percent(threshold)} of connections checked out",
                series=pool(service, int(limit)),
                at="15m",
            )
        )
    return scenarios


@rule_group("database")
def database(service: ServiceConfig):
    if service.provider("database") is None:
        return
    sel = service.selector
    limits = service.thresholds
    instance = target_labels(service)

    # The checklist alerts on health_check_status{provider="database_pool"},
    # which reports unhealthy while the pool is idle; the pool gauges are exact.
    # Capacity is pool_size + max_overflow, the most connections a pod can hold.
    yield RecordingRule(
        record=UTILIZATION,
        expr=f"database_pool_checkedout{{{sel}}}\n"
        f"/ (database_pool_size{{{sel}}} + database_pool_max_overflow{{{sel}}} > 0)",
        scenarios=[
            records(
                "16 of 20 connections checked out",
                series=pool(service, 16),
                at="10m",
                samples=Sample(instance, Fraction(16, CAPACITY)),
            ),
            records(
                "an idle pool records 0",
                series=pool(service, 0),
                at="10m",
                samples=Sample(instance, 0),
            ),
            records(
                "a pool without capacity records no sample, not NaN",
                series=pool(service, 0, size=0, overflow=0),
                at="10m",
            ),
            records(
                "vanished series record nothing",
                series=vanish(pool(service, 16), at=5),
                at="15m",
            ),
        ],
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
        scenarios=utilization_scenarios(
            service,
            warning,
            5,
            "for 5 minutes. Consider increasing pool size or investigating "
            "connection leaks.",
        ),
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
        scenarios=utilization_scenarios(
            service,
            critical,
            2,
            "for 2 minutes. Service may fail to acquire connections. "
            "This is a rollback trigger.",
        ),
    )

    def timeouts(per_minute):
        return counter("database_pool_checkout_timeout_total", instance, per_minute)

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
        scenarios=[
            # One timeout a minute is an increase of exactly 5 over 5m.
            fires(
                "a checkout times out every minute",
                series=[target_up(service), timeouts(1)],
                at="10m",
                alerts=ExpectedAlert(
                    labels=instance,
                    annotations={
                        "description": "5 connection checkouts on "
                        f"{instance['instance']} exceeded DB_POOL_TIMEOUT in the "
                        "last 5 minutes.",
                    },
                ),
            ),
            stays_silent(
                "an idle pool without timeouts",
                series=[target_up(service), timeouts(0)],
                at="10m",
            ),
            stays_silent(
                "timeouts ended over 5 minutes ago",
                series=[
                    target_up(service),
                    timeouts(lambda minute: 1 if minute <= 3 else 0),
                ],
                at="10m",
            ),
            stays_silent(
                "the timeout counter vanishes",
                series=vanish([target_up(service), timeouts(1)], at=5),
                at="15m",
            ),
        ],
    )
