from obsgen import AlertingRule, rule_group


@rule_group("corpus")
def corpus(service):
    yield AlertingRule(
        alert="NoHealthyInstances",
        expr=f"sum by (job) (up{{{service.selector}}}) == 0",
        labels={**service.alert_labels("critical"), "priority": 1},
        annotations={
            "summary": "down",
            "description": "down",
            "runbook_url": "https://x.invalid/r",
        },
    )
