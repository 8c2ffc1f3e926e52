from obsgen import AlertingRule, rule_group


@rule_group("corpus")
def corpus(service):
    yield AlertingRule(
        alert="NoHealthyInstances",
        expr=f"sum by (job) (up{{{service.selector}}}) == 0",
        for_="5 minutes",
        labels=service.alert_labels("critical"),
        annotations={
            "summary": "down",
            "description": "down",
            "runbook_url": "https://x.invalid/r",
        },
    )
