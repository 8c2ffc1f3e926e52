from obsgen import RecordingRule, rule_group


@rule_group("corpus")
def corpus(service):
    sel = service.selector
    yield RecordingRule(
        record="namespace_job:http_requests:rate30s",
        expr=f"sum by (namespace, job) (rate(http_requests_total{{{sel}}}[30s]))",
    )
