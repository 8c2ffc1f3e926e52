from obsgen import AlertingRule, rule_group


@rule_group("corpus")
def corpus(service):
    sel = service.selector
    yield AlertingRule(
        alert="PoolExhausted",
        expr=f"sum by (namespace) (database_pool_checkedout{{{sel}}}) > 10",
        labels=service.alert_labels("warning"),
        annotations={
            "summary": "Pool exhausted on {{ $labels.instance }}",
            "description": "{{ $value }} connections checked out.",
            "runbook_url": service.runbook_url("pool"),
        },
    )
