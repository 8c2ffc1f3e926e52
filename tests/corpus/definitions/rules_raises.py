from obsgen import rule_group


@rule_group("corpus")
def corpus(service):
    limits = service.thresholds
    yield limits.no_such_threshold
