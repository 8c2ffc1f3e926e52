from obsgen import AlertingRule, rule_group


@rule_group("corpus")
def corpus(service):
    yield AlertingRule(
        alert="PoolExhausted",
        expr=f"database_pool_checked_out{{{service.selector}}} > 10",
        labels=service.alert_labels("warning"),
        annotations={
            "summary": "Pool exhausted on {{ $labels.instance }}",
            "description": "{{ $value }} connections checked out.",
            "runbook_url": service.runbook_url("pool"),
        },
    )
